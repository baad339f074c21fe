import { api, type LogEntry } from '../api.ts';
import { describeLogEvent } from '../lib/describe.ts';
import { checkEntry, fetchCheckedHead, type CheckedHead } from '../lib/log-check.ts';
import type { PageContext } from '../router.ts';
import { clearError, definitionList, errorBox, errorSlot, fieldError, showError, truncate } from '../ui/components.ts';
import { field, formatDate, h, replace } from '../ui/dom.ts';

const RECENT = 20;

export async function renderLog(ctx: PageContext): Promise<void> {
  const headSection = h(
    'section',
    { 'aria-labelledby': 'cp-h' },
    h('h2', { id: 'cp-h' }, 'Latest checkpoint'),
    h('p', { class: 'muted' }, 'Loading…'),
  );
  const recent = h('section', { 'aria-labelledby': 'recent-h' }, h('h2', { id: 'recent-h' }, 'Recent entries'));
  const lookupResult = h('div', { 'aria-live': 'polite' });
  const index = h('input', { name: 'index', type: 'number', min: '0', inputmode: 'numeric', value: ctx.query.get('entry') ?? '' });
  const slot = errorSlot();
  const form = h(
    'form',
    { class: 'search', novalidate: true },
    field('Entry number', index),
    h('button', { type: 'submit', class: 'primary' }, 'Look up and verify'),
  );
  replace(
    ctx.main,
    h('h1', null, 'Public log'),
    h(
      'p',
      { class: 'lede' },
      'Every registration, attestation, revocation, dispute and key change is an entry in an append-only Merkle tree. The registry signs its head (a checkpoint); this page checks that signature and each inclusion proof in your browser.',
    ),
    headSection,
    h('section', { 'aria-labelledby': 'lookup-h' }, h('h2', { id: 'lookup-h' }, 'Look up an entry'), form, slot, lookupResult),
    recent,
  );

  const head = await showCheckpoint(ctx, headSection);
  if (head && ctx.signal.aborted) return;
  const lookup = (i: number) => lookupEntry(ctx, i, head, slot, lookupResult);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const i = Number(index.value);
    if (index.value === '' || !Number.isInteger(i) || i < 0) return fieldError(index, 'Enter an entry number: 0 or more.');
    history.replaceState(null, '', `/log?entry=${i}`);
    void lookup(i);
  });
  if (ctx.query.get('entry') !== null && /^\d+$/.test(ctx.query.get('entry')!)) void lookup(Number(ctx.query.get('entry')));
  if (head) await showRecentEntries(ctx, recent, head);
}

/** The latest checkpoint with its signature checked here; undefined when it could not be fetched. */
async function showCheckpoint(ctx: PageContext, headSection: HTMLElement): Promise<CheckedHead | undefined> {
  try {
    const head = await fetchCheckedHead();
    if (ctx.signal.aborted) return head; // the page is gone: nothing to show
    const { checkpoint, signatureValid } = head;
    replace(
      headSection,
      h('h2', { id: 'cp-h' }, 'Latest checkpoint'),
      definitionList([
        ['Log', checkpoint.origin],
        ['Entries', String(checkpoint.size)],
        ['Root hash', h('code', null, checkpoint.rootHash)],
        [
          'Signature',
          signatureValid === undefined
            ? 'verifier key unavailable — not checked'
            : signatureValid
              ? h('span', { class: 'ok' }, '✓ Signed by the registry’s log key (checked in your browser)')
              : h('span', { class: 'bad' }, '✗ Signature does not verify with the published log key'),
        ],
      ]),
      h('details', null, h('summary', null, 'Signed note'), h('pre', { class: 'checkpoint' }, head.note)),
    );
    return head;
  } catch (err) {
    if (!ctx.signal.aborted) replace(headSection, h('h2', { id: 'cp-h' }, 'Latest checkpoint'), errorBox(err));
    return undefined;
  }
}

/** One entry with its inclusion proof checked in the browser against the signed root. */
async function lookupEntry(
  ctx: PageContext,
  i: number,
  head: CheckedHead | undefined,
  slot: HTMLElement,
  lookupResult: HTMLElement,
): Promise<void> {
  clearError(slot);
  lookupResult.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  try {
    const { entry, status, head: checked } = await checkEntry(i, head);
    const size = checked.checkpoint.size;
    const proofStatus =
      status === 'included'
        ? h(
            'span',
            { class: 'ok' },
            `✓ Included in the log of ${size} entries (inclusion proof checked in your browser against the signed root)`,
          )
        : status === 'not-covered'
          ? 'not yet covered by the latest checkpoint'
          : h('span', { class: 'bad' }, '✗ The inclusion proof does not match the checkpoint');
    if (ctx.signal.aborted) return;
    replace(
      lookupResult,
      h(
        'article',
        { class: 'entry', 'aria-label': `Entry ${i}` },
        h('h3', null, `#${entry.index} ${describeLogEvent(String(entry.entry.type ?? ''))}`),
        definitionList([
          ['Proof', proofStatus],
          ['Received', receivedAt(entry)],
        ]),
        h('pre', { class: 'json' }, JSON.stringify(entry.entry, null, 2)),
      ),
    );
  } catch (err) {
    if (!ctx.signal.aborted) {
      lookupResult.replaceChildren();
      showError(slot, err);
    }
  }
}

/** The last RECENT entries the checkpoint covers, newest first. */
async function showRecentEntries(ctx: PageContext, recent: HTMLElement, head: CheckedHead): Promise<void> {
  try {
    const end = head.checkpoint.size;
    const start = Math.max(0, end - RECENT);
    const entries = end > 0 ? (await api.getLogEntries(start, end)).entries.reverse() : [];
    if (ctx.signal.aborted) return;
    replace(
      recent,
      h('h2', { id: 'recent-h' }, 'Recent entries'),
      entries.length
        ? h(
            'ol',
            { class: 'log-entries', reversed: true },
            entries.map((e) =>
              h(
                'li',
                { value: String(e.index) },
                h('a', { href: `/log?entry=${e.index}` }, `#${e.index}`),
                ` ${describeLogEvent(String(e.entry.type ?? ''))}`,
                summary(e),
                h('span', { class: 'muted' }, ` · ${receivedAt(e)}`),
              ),
            ),
          )
        : h('p', { class: 'muted' }, 'The log is empty.'),
    );
  } catch (err) {
    if (!ctx.signal.aborted) recent.append(errorBox(err));
  }
}

function receivedAt(e: LogEntry): string {
  const t = e.entry.receivedAt ?? e.entry.receiptTime ?? e.entry.time ?? e.entry.at;
  return typeof t === 'string' ? formatDate(t) : '';
}

function summary(e: LogEntry): string {
  const subject = e.entry.subjectId ?? e.entry.workId ?? e.entry.handle ?? e.entry.kid;
  return typeof subject === 'string' ? ` — ${truncate(subject, 40)}` : '';
}
