import { api, ApiError, urls, type Account, type WorkSummary } from '../api.ts';
import { attestationLabel } from '../lib/describe.ts';
import type { PageContext } from '../router.ts';
import { errorBox } from '../ui/components.ts';
import { formatDate, h, replace } from '../ui/dom.ts';
import { worksGrid } from '../ui/works-grid.ts';

export async function renderProfile(ctx: PageContext): Promise<void> {
  const handle = ctx.params.handle!;
  let account: Account;
  try {
    account = await api.getAccount(handle);
  } catch (err) {
    if (ctx.signal.aborted) return;
    replace(ctx.main, h('h1', null, err instanceof ApiError && err.status === 404 ? `No account @${handle}` : `@${handle}`), errorBox(err));
    return;
  }
  let works: WorkSummary[] | undefined = account.works;
  let worksError: unknown;
  if (!works && account.kind === 'artist') {
    try {
      works = (await api.listWorks({ artist: account.handle, limit: 100 })).items;
    } catch (err) {
      worksError = err;
    }
  }
  if (account.kind === 'organization' && !account.attestationsIssued) {
    try {
      account.attestationsIssued = (await api.listAttestationsIssued(account.handle)).items;
    } catch (err) {
      worksError = err;
    }
  }
  if (ctx.signal.aborted) return;
  const website = account.website && /^https?:\/\//i.test(account.website) ? h('a', { href: account.website, rel: 'nofollow noopener', 'data-external': '' }, account.website) : null;
  replace(
    ctx.main,
    h('h1', null, account.displayName),
    h('p', { class: 'byline' }, `@${account.handle}`, h('span', { class: 'tag' }, account.kind === 'organization' ? 'Organisation' : 'Artist'), account.createdAt ? ` · joined ${formatDate(account.createdAt)}` : null),
    account.bio ? h('p', { class: 'bio' }, account.bio) : null,
    website ? h('p', null, website) : null,
    account.profileSigned === false
      ? h('p', { class: 'note', 'data-profile-unsigned': '' }, 'This name, bio and website are not signed by the account: it was created before profiles were signed.')
      : null,
    account.kind === 'artist'
      ? h('section', { 'aria-labelledby': 'works-h' }, h('h2', { id: 'works-h' }, 'Works'), worksError ? errorBox(worksError) : worksGrid(works ?? [], 'No works registered yet.'))
      : null,
    account.kind === 'organization' ? (worksError ? errorBox(worksError) : attestationsIssued(account)) : null,
    keyHistory(account),
  );
}

function attestationsIssued(account: Account): HTMLElement {
  const items = account.attestationsIssued ?? [];
  return h(
    'section',
    { 'aria-labelledby': 'issued-h' },
    h('h2', { id: 'issued-h' }, 'Attestations issued'),
    items.length
      ? h(
          'ul',
          { class: 'attestations' },
          items.map((a) => {
            const workId = a.workId ?? a.work?.id;
            return h('li', null, h('strong', null, attestationLabel(a.type)), workId ? [' — ', h('a', { href: urls.work(workId) }, a.work?.title ?? workId)] : null, a.issuedAt ? ` · ${formatDate(a.issuedAt)}` : null);
          }),
        )
      : h('p', { class: 'muted' }, 'No attestations issued yet.'),
  );
}

function keyHistory(account: Account): HTMLElement {
  const keys = account.keys ?? [];
  return h(
    'section',
    { 'aria-labelledby': 'keys-h' },
    h('h2', { id: 'keys-h' }, 'Key history'),
    h('p', null, 'Every key added to or revoked from this account is a public log entry. Only active keys can act for the account.'),
    keys.length
      ? h(
          'table',
          { class: 'keys' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Key id'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Added'), h('th', { scope: 'col' }, 'Revoked'))),
          h(
            'tbody',
            null,
            keys.map((k) =>
              h(
                'tr',
                null,
                h('td', null, h('code', null, k.kid)),
                h('td', null, k.status ?? (k.revokedAt ? 'revoked' : 'active')),
                h('td', null, k.addedAt ? formatDate(k.addedAt) : '', typeof k.addedLogIndex === 'number' ? [' · ', h('a', { href: urls.logEntry(k.addedLogIndex) }, `entry #${k.addedLogIndex}`)] : null),
                h('td', null, k.revokedAt ? formatDate(k.revokedAt) : '—', typeof k.revokedLogIndex === 'number' ? [' · ', h('a', { href: urls.logEntry(k.revokedLogIndex) }, `entry #${k.revokedLogIndex}`)] : null),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'No keys reported.'),
  );
}
