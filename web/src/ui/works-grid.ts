import { urls, type WorkSummary } from '../api.ts';
import { h } from './dom.ts';

export function worksGrid(items: WorkSummary[], empty: string): HTMLElement {
  if (!items.length) return h('p', { class: 'muted' }, empty);
  return h(
    'ul',
    { class: 'works-grid' },
    items.map((w) =>
      h(
        'li',
        null,
        h(
          'a',
          { href: urls.work(w.id), class: 'work-card' },
          h('img', { src: urls.thumbnail(w.id), alt: '', loading: 'lazy' }),
          h('span', { class: 'work-title' }, w.title || 'Untitled'),
          w.artist ? h('span', { class: 'muted small' }, w.artist.displayName || `@${w.artist.handle}`) : null,
          chip(w),
        ),
      ),
    ),
  );
}

/** The list answer carries no level (it is computed per work, on the work's page): only a revoked work is marked. */
function chip(w: WorkSummary): HTMLElement | null {
  return w.status === 'revoked' ? h('span', { class: 'level-chip revoked' }, 'Revoked') : null;
}
