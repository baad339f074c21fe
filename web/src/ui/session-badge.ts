import { urls } from '../api.ts';
import { currentSession, onSessionChange } from '../lib/session.ts';
import { h, replace } from './dom.ts';

/** The header's "signed in as" indicator; it follows sign-in and sign-out in any page. */
export function renderSessionBadge(slot: HTMLElement): void {
  const draw = () => {
    const s = currentSession();
    replace(
      slot,
      s
        ? h(
            'span',
            null,
            'Signed in as ',
            h('a', { href: urls.profile(s.handle) }, `@${s.handle}`),
            s.kind === 'organization' ? h('span', { class: 'tag' }, 'Organisation') : null,
          )
        : h('a', { href: '/identity' }, 'Sign in'),
    );
  };
  onSessionChange(draw);
  window.addEventListener('storage', draw);
  draw();
}
