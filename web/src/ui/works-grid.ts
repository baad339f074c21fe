import { urls, type WorkSummary } from '../api.ts';
import { levelInfo } from '../lib/describe.ts';
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
          h('span', { class: `level-chip level-${levelInfo(w.evidenceLevel).level}` }, w.revoked ? 'Revoked' : `Level ${levelInfo(w.evidenceLevel).level}: ${levelInfo(w.evidenceLevel).name}`),
        ),
      ),
    ),
  );
}
