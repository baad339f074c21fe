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
  let works: WorkSummary[] | undefined;
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
  const website =
    account.website && /^https?:\/\//i.test(account.website)
      ? h('a', { href: account.website, rel: 'nofollow noopener', 'data-external': '' }, account.website)
      : null;
  replace(
    ctx.main,
    h('h1', null, account.displayName),
    h(
      'p',
      { class: 'byline' },
      `@${account.handle}`,
      h('span', { class: 'tag' }, account.kind === 'organization' ? 'Organisation' : 'Artist'),
      account.createdAt ? ` · joined ${formatDate(account.createdAt)}` : null,
    ),
    account.bio ? h('p', { class: 'bio' }, account.bio) : null,
    website ? h('p', null, website) : null,
    account.profileSigned === false
      ? h(
          'p',
          { class: 'note', 'data-profile-unsigned': '' },
          'This name, bio and website are not signed by the account: it was created before profiles were signed.',
        )
      : null,
    account.kind === 'artist'
      ? h(
          'section',
          { 'aria-labelledby': 'works-h' },
          h('h2', { id: 'works-h' }, 'Works'),
          worksError ? errorBox(worksError) : worksGrid(works ?? [], 'No works registered yet.'),
        )
      : null,
    account.kind === 'organization' ? verification(account) : null,
    account.kind === 'organization' ? (worksError ? errorBox(worksError) : attestationsIssued(account)) : null,
    keyHistory(account),
  );
}

/** Whether the registry's operator vouches for this organisation (since when, by whom), and the domains it proved. */
function verification(account: Account): HTMLElement {
  const org = account.organization;
  const v = org?.verification;
  const entry = (index: number | null | undefined) =>
    typeof index === 'number' ? [' · ', h('a', { href: urls.logEntry(index) }, `entry #${index}`)] : null;
  const standing =
    org?.verified && v
      ? [
          h(
            'p',
            null,
            h('span', { class: 'tag ok' }, 'verified organisation'),
            ` since ${formatDate(v.since)}, by the registry’s operator (key `,
            h('code', null, v.by.kid),
            ')',
            entry(v.logIndex),
          ),
          v.note ? h('p', { class: 'note' }, `Operator’s note: ${v.note}`) : null,
          v.domain ? h('p', null, `Domain checked by the operator: ${v.domain}`) : null,
          h('p', { class: 'muted' }, 'Its attestations raise the works they are about to evidence level 3 while it stays verified.'),
        ]
      : [
          h('p', null, h('span', { class: 'tag warn' }, 'unverified organisation')),
          v?.status === 'withdrawn'
            ? h(
                'p',
                null,
                `The operator verified it on ${formatDate(v.since)} and withdrew that on ${v.withdrawnAt ? formatDate(v.withdrawnAt) : '?'}${v.withdrawalReason ? `: ${v.withdrawalReason}` : ''}`,
                entry(v.withdrawnLogIndex),
              )
            : null,
          h(
            'p',
            { class: 'muted' },
            'Anyone can create an organisation account. Until the registry’s operator verifies it, its attestations are shown but raise no work to level 3.',
          ),
        ];
  const domains = org?.domains ?? [];
  return h(
    'section',
    { class: 'verification', 'aria-labelledby': 'verification-h' },
    h('h2', { id: 'verification-h' }, 'Verification'),
    standing,
    domains.length
      ? [
          h('h3', null, 'Linked domains'),
          h(
            'ul',
            { class: 'domains' },
            domains.map((d) =>
              h(
                'li',
                null,
                h('strong', null, d.domain),
                ` — its aura.json names ${d.kids.length} key${d.kids.length === 1 ? '' : 's'} of this account · ${formatDate(d.linkedAt)}`,
                entry(d.logIndex),
              ),
            ),
          ),
          h('p', { class: 'muted' }, 'A linked domain is evidence for the operator, not a verification by itself.'),
        ]
      : null,
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
            const workId = a.work.id;
            return h(
              'li',
              null,
              h('strong', null, attestationLabel(a.type)),
              workId ? [' — ', h('a', { href: urls.work(workId) }, a.work?.title ?? workId)] : null,
              a.issuedAt ? ` · ${formatDate(a.issuedAt)}` : null,
            );
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
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, 'Key id'),
              h('th', { scope: 'col' }, 'Status'),
              h('th', { scope: 'col' }, 'Added'),
              h('th', { scope: 'col' }, 'Revoked'),
            ),
          ),
          h(
            'tbody',
            null,
            keys.map((k) =>
              h(
                'tr',
                null,
                h('td', null, h('code', null, k.kid)),
                h('td', null, k.status ?? (k.revokedAt ? 'revoked' : 'active')),
                h(
                  'td',
                  null,
                  k.addedAt ? formatDate(k.addedAt) : '',
                  typeof k.addedLogIndex === 'number'
                    ? [' · ', h('a', { href: urls.logEntry(k.addedLogIndex) }, `entry #${k.addedLogIndex}`)]
                    : null,
                ),
                h(
                  'td',
                  null,
                  k.revokedAt ? formatDate(k.revokedAt) : '—',
                  typeof k.revokedLogIndex === 'number'
                    ? [' · ', h('a', { href: urls.logEntry(k.revokedLogIndex) }, `entry #${k.revokedLogIndex}`)]
                    : null,
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'No keys reported.'),
  );
}
