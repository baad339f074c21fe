import { api } from '../api.ts';
import type { PageContext } from '../router.ts';
import { errorBox } from '../ui/components.ts';
import { h, replace } from '../ui/dom.ts';
import { worksGrid } from '../ui/works-grid.ts';

const PAGE_SIZE = 24;

export async function renderWorks(ctx: PageContext): Promise<void> {
  const q = ctx.query.get('q') ?? '';
  const page = Math.max(1, Number(ctx.query.get('page')) || 1);
  const input = h('input', { type: 'search', name: 'q', id: 'works-q', value: q, placeholder: 'Title, artist or @handle' });
  const form = h(
    'form',
    { class: 'search', role: 'search' },
    h('label', { for: 'works-q' }, 'Search works'),
    input,
    h('button', { type: 'submit', class: 'primary' }, 'Search'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.navigate(`/works${input.value.trim() ? `?q=${encodeURIComponent(input.value.trim())}` : ''}`);
  });
  const results = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  replace(ctx.main, h('h1', null, q ? `Works matching “${q}”` : 'Registered works'), form, results);
  try {
    const list = await api.listWorks({ q, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    if (ctx.signal.aborted) return;
    const items = list.items ?? [];
    const link = (p: number, label: string) =>
      h('a', { href: `/works?${new URLSearchParams({ ...(q ? { q } : {}), page: String(p) }).toString()}` }, label);
    const hasMore = list.total !== undefined ? page * PAGE_SIZE < list.total : items.length === PAGE_SIZE;
    replace(
      results,
      list.total !== undefined && list.total > 0 ? h('p', { class: 'muted' }, `${list.total} work${list.total === 1 ? '' : 's'}`) : null,
      worksGrid(items, q ? 'No registered work matches this search.' : 'No works are registered yet.'),
      h(
        'nav',
        { class: 'pager', 'aria-label': 'Pages' },
        page > 1 ? link(page - 1, '← Previous') : null,
        hasMore ? link(page + 1, 'Next →') : null,
      ),
    );
  } catch (err) {
    if (!ctx.signal.aborted) replace(results, errorBox(err));
  }
}
