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
          chip(w),
        ),
      ),
    ),
  );
}

/** The list answer may omit the level (it is computed per work); never show a level that was not given. */
function chip(w: WorkSummary): HTMLElement | null {
  if (w.revoked || w.status === 'revoked') return h('span', { class: 'level-chip revoked' }, 'Revoked');
  if (w.evidenceLevel === undefined) return null;
  const info = levelInfo(w.evidenceLevel);
  return h('span', { class: `level-chip level-${info.level}` }, `Level ${info.level}: ${info.name}`);
}
