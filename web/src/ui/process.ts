import { api, urls, type ProcessReceipt } from '../api.ts';
import { signCredential } from '../keys.ts';
import type { StoredIdentity } from '../lib/identities.ts';
import { clearError, dropZone, errorSlot, progressBar, showError, type ProgressBar } from './components.ts';
import { h, replace } from './dom.ts';

interface Pending {
  file: File;
  previewUrl: string;
  item: HTMLLIElement;
}

interface UploaderOptions {
  workId?: string;
  identity: StoredIdentity;
  heading: string;
  intro: string;
  onAdded?: (receipt: ProcessReceipt) => void;
}

/** The images picked but not yet signed, and whether a sign-and-log run is going on. */
interface Queue {
  pending: Pending[];
  busy: boolean;
}

/**
 * Adds work-in-progress images. Picked images are first shown for review (each can be removed); only when
 * the artist confirms is each one uploaded as a draft, signed here, and recorded in the append-only log.
 * Without a workId they are logged ahead of the final (what counts towards evidence level 2) and
 * `onAdded` hands back their process ids to link at registration.
 */
export function processUploader(options: UploaderOptions): HTMLElement {
  const view = reviewView();
  const queue: Queue = { pending: [], busy: false };
  const refresh = () => refreshReview(view, queue);
  view.confirm.addEventListener('click', () => void signAndLogAll(options, view, queue, refresh));

  const zone = dropZone({
    label: 'Add work-in-progress images',
    hint: 'Sketches, photos of stages, layered exports. You review them first; each one you keep is fingerprinted, signed by you and logged with its date.',
    name: 'process',
    multiple: true,
    errorSlot: view.slot,
    onFiles: (files) => {
      clearError(view.slot);
      for (const file of files) addPending(view, queue, file, refresh);
      // The picker is free again for more images: the chosen ones are listed in the review below.
      zone.input.value = '';
      zone.input.dispatchEvent(new Event('change'));
      refresh();
    },
  });
  const headingId = `process-h-${options.workId ?? 'new'}`;
  return h(
    'section',
    { class: 'process', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, options.heading),
    h('p', null, options.intro),
    zone.el,
    view.review,
    view.progress.el,
    view.slot,
    view.logged,
  );
}

function reviewView() {
  const pendingList = h('ul', { class: 'process-pending' });
  const confirm = h('button', { type: 'button', class: 'primary' }, 'Sign and log');
  const review = h(
    'div',
    { class: 'process-review', hidden: true },
    h('h3', null, 'Review before signing'),
    h('p', { class: 'hint' }, 'Nothing is signed or logged yet. Remove any image you do not want in the public log, then sign them.'),
    pendingList,
    h('div', { class: 'actions' }, confirm),
  );
  const logged = h('ul', { class: 'process-list', 'aria-live': 'polite' });
  return { slot: errorSlot(), progress: progressBar(), logged, pendingList, confirm, review };
}

type ReviewView = ReturnType<typeof reviewView>;

function refreshReview({ review, confirm, pendingList }: ReviewView, { pending, busy }: Queue): void {
  review.hidden = pending.length === 0;
  confirm.textContent = `Sign and log ${pending.length === 1 ? 'this image' : `these ${pending.length} images`}`;
  confirm.disabled = busy;
  for (const button of pendingList.querySelectorAll('button')) button.disabled = busy;
}

function addPending({ pendingList, confirm }: ReviewView, queue: Queue, file: File, refresh: () => void): void {
  const previewUrl = URL.createObjectURL(file);
  const remove = h('button', { type: 'button', class: 'link danger', 'aria-label': `Remove ${file.name}` }, 'Remove');
  const item = h(
    'li',
    null,
    h('img', { src: previewUrl, alt: `Work-in-progress image ${file.name}` }),
    h('span', { class: 'process-name' }, file.name, h('span', { class: 'muted small' }, ` · ${formatSize(file.size)}`)),
    remove,
  );
  const entry: Pending = { file, previewUrl, item };
  remove.addEventListener('click', () => {
    queue.pending = queue.pending.filter((p) => p !== entry);
    URL.revokeObjectURL(previewUrl);
    item.remove();
    refresh();
    (pendingList.querySelector('button') ?? confirm).focus();
  });
  queue.pending.push(entry);
  pendingList.append(item);
}

/** Signs and logs the pending images in order, stopping at the first failure (the rest stay in review). */
async function signAndLogAll(options: UploaderOptions, view: ReviewView, queue: Queue, refresh: () => void): Promise<void> {
  if (queue.busy || queue.pending.length === 0) return;
  queue.busy = true;
  clearError(view.slot);
  refresh();
  try {
    for (let entry = queue.pending[0]; entry; entry = queue.pending[0]) {
      const line = h('li', null, `${entry.file.name}: uploading…`);
      view.logged.append(line);
      try {
        await signAndLogOne(options, view.progress, entry, line);
        queue.pending.shift();
        URL.revokeObjectURL(entry.previewUrl);
        entry.item.remove();
      } catch (err) {
        line.remove();
        showError(view.slot, err);
        break;
      }
    }
  } finally {
    view.progress.done();
    queue.busy = false;
    refresh();
  }
}

async function signAndLogOne(
  { workId, identity, onAdded }: UploaderOptions,
  progress: ProgressBar,
  entry: Pending,
  line: HTMLLIElement,
): Promise<void> {
  const name = entry.file.name;
  const draft = await api.createProcessDraft(workId, entry.file, (f) => progress.set(f, `Uploading ${name}… ${Math.round(f * 100)}%`));
  progress.busy(`Signing ${name} with your key…`);
  const jws = await signCredential(identity, draft.payload);
  const receipt = await api.submitProcess(workId, draft.draftId, jws);
  replace(
    line,
    `${name}: signed and recorded as log entry `,
    h('a', { href: urls.logEntry(receipt.logIndex) }, `#${receipt.logIndex}`),
    ' ✓',
  );
  line.className = 'ok';
  onAdded?.({ ...receipt, processId: receipt.processId ?? draft.processId });
}

const formatSize = (bytes: number) =>
  bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
