import { api, type LogEntry } from '../api.ts';
import { describeLogEvent } from '../lib/describe.ts';
import { base64ToBytes, parseCheckpoint, parseVerifierKey, verifyCheckpoint, verifyInclusion, type Checkpoint } from '../lib/logproof.ts';
import type { PageContext } from '../router.ts';
import { clearError, definitionList, errorBox, errorSlot, fieldError, showError, truncate } from '../ui/components.ts';
import { field, formatDate, h, replace } from '../ui/dom.ts';

const RECENT = 20;

export async function renderLog(ctx: PageContext): Promise<void> {
  const head = h('section', { 'aria-labelledby': 'cp-h' }, h('h2', { id: 'cp-h' }, 'Latest checkpoint'), h('p', { class: 'muted' }, 'Loading…'));
  const recent = h('section', { 'aria-labelledby': 'recent-h' }, h('h2', { id: 'recent-h' }, 'Recent entries'));
  const lookupResult = h('div', { 'aria-live': 'polite' });
  const index = h('input', { name: 'index', type: 'number', min: '0', inputmode: 'numeric', value: ctx.query.get('entry') ?? '' });
  const slot = errorSlot();
  const form = h('form', { class: 'search', novalidate: true }, field('Entry number', index), h('button', { type: 'submit', class: 'primary' }, 'Look up and verify'));
  replace(
    ctx.main,
    h('h1', null, 'Public log'),
    h('p', { class: 'lede' }, 'Every registration, attestation, revocation, dispute and key change is an entry in an append-only Merkle tree. The registry signs its head (a checkpoint); this page checks that signature and each inclusion proof in your browser.'),
    head,
    h('section', { 'aria-labelledby': 'lookup-h' }, h('h2', { id: 'lookup-h' }, 'Look up an entry'), form, slot, lookupResult),
    recent,
  );

  let checkpoint: Checkpoint | undefined;
  try {
    const [note, vkeyText] = await Promise.all([api.getCheckpoint(), api.getVkey().catch(() => undefined)]);
    checkpoint = parseCheckpoint(note);
    const signed = vkeyText ? await verifyCheckpoint(checkpoint, parseVerifierKey(vkeyText)).catch(() => false) : undefined;
    if (ctx.signal.aborted) return;
    replace(
      head,
      h('h2', { id: 'cp-h' }, 'Latest checkpoint'),
      definitionList([
        ['Log', checkpoint.origin],
        ['Entries', String(checkpoint.size)],
        ['Root hash', h('code', null, checkpoint.rootHash)],
        ['Signature', signed === undefined ? 'verifier key unavailable — not checked' : signed ? h('span', { class: 'ok' }, '✓ Signed by the registry’s log key (checked in your browser)') : h('span', { class: 'bad' }, '✗ Signature does not verify with the published log key')],
      ]),
      h('details', null, h('summary', null, 'Signed note'), h('pre', { class: 'checkpoint' }, note)),
    );
  } catch (err) {
    if (!ctx.signal.aborted) replace(head, h('h2', { id: 'cp-h' }, 'Latest checkpoint'), errorBox(err));
  }

  async function lookup(i: number): Promise<void> {
    clearError(slot);
    lookupResult.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
    try {
      const entry = await api.getLogEntry(i);
      let proofStatus: Node | string = 'not checked: no checkpoint';
      if (checkpoint) {
        if (i >= checkpoint.size) proofStatus = 'not yet covered by the latest checkpoint';
        else {
          const proof = await api.getInclusionProof(i, checkpoint.size);
          const ok = await verifyInclusion(base64ToBytes(entry.body), i, checkpoint.size, proof.hashes, checkpoint.rootHash);
          proofStatus = ok
            ? h('span', { class: 'ok' }, `✓ Included in the log of ${checkpoint.size} entries (inclusion proof checked in your browser against the signed root)`)
            : h('span', { class: 'bad' }, '✗ The inclusion proof does not match the checkpoint');
        }
      }
      if (ctx.signal.aborted) return;
      replace(
        lookupResult,
        h('article', { class: 'entry', 'aria-label': `Entry ${i}` }, h('h3', null, `#${entry.index} ${describeLogEvent(String(entry.entry.type ?? ''))}`), definitionList([['Proof', proofStatus], ['Received', receivedAt(entry)]]), h('pre', { class: 'json' }, JSON.stringify(entry.entry, null, 2))),
      );
    } catch (err) {
      if (!ctx.signal.aborted) {
        lookupResult.replaceChildren();
        showError(slot, err);
      }
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const i = Number(index.value);
    if (index.value === '' || !Number.isInteger(i) || i < 0) return fieldError(index, 'Enter an entry number: 0 or more.');
    history.replaceState(null, '', `/log?entry=${i}`);
    void lookup(i);
  });
  if (ctx.query.get('entry') !== null && /^\d+$/.test(ctx.query.get('entry')!)) void lookup(Number(ctx.query.get('entry')));

  if (!checkpoint) return;
  try {
    const end = checkpoint.size;
    const start = Math.max(0, end - RECENT);
    const answer = end > 0 ? await api.getLogEntries(start, end) : [];
    const entries = (Array.isArray(answer) ? answer : answer.entries).slice().reverse();
    if (ctx.signal.aborted) return;
    replace(
      recent,
      h('h2', { id: 'recent-h' }, 'Recent entries'),
      entries.length
        ? h(
            'ol',
            { class: 'log-entries', reversed: true },
            entries.map((e) => h('li', { value: String(e.index) }, h('a', { href: `/log?entry=${e.index}` }, `#${e.index}`), ` ${describeLogEvent(String(e.entry.type ?? ''))}`, summary(e), h('span', { class: 'muted' }, ` · ${receivedAt(e)}`))),
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
