import { api, urls, type ProcessReceipt } from '../api.ts';
import { signCredential } from '../keys.ts';
import type { StoredIdentity } from '../lib/identities.ts';
import { clearError, dropZone, errorSlot, progressBar, showError } from './components.ts';
import { h, replace } from './dom.ts';

/**
 * Adds work-in-progress images: each is uploaded as a draft, signed here, and recorded in the log.
 * Without a workId they are logged ahead of the final (what counts towards evidence level 2) and
 * `onAdded` hands back their process ids to link at registration.
 */
export function processUploader(options: { workId?: string; identity: StoredIdentity; heading: string; intro: string; onAdded?: (receipt: ProcessReceipt) => void }): HTMLElement {
  const { workId, identity } = options;
  const slot = errorSlot();
  const progress = progressBar();
  const list = h('ul', { class: 'process-list', 'aria-live': 'polite' });
  let busy = false;
  const queue: File[] = [];

  async function drain(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      for (let file = queue.shift(); file; file = queue.shift()) {
        const name = file.name;
        const item = h('li', null, `${name}: uploading…`);
        list.append(item);
        try {
          const draft = await api.createProcessDraft(workId, file, (f) => progress.set(f, `Uploading ${name}… ${Math.round(f * 100)}%`));
          progress.busy(`Signing ${name} with your key…`);
          const jws = await signCredential(identity, draft.payload);
          const receipt = await api.submitProcess(workId, draft.draftId, jws);
          replace(item, `${name}: signed and recorded as log entry `, h('a', { href: urls.logEntry(receipt.logIndex) }, `#${receipt.logIndex}`), ' ✓');
          item.className = 'ok';
          options.onAdded?.({ ...receipt, processId: receipt.processId ?? draft.processId });
        } catch (err) {
          item.textContent = `${name}: not recorded`;
          item.className = 'bad';
          showError(slot, err);
        }
      }
    } finally {
      progress.done();
      busy = false;
    }
  }

  const zone = dropZone({
    label: 'Add work-in-progress images',
    hint: 'Sketches, photos of stages, layered exports. Each one is fingerprinted, signed by you and logged with its date.',
    name: 'process',
    multiple: true,
    errorSlot: slot,
    onFiles: (files) => {
      clearError(slot);
      queue.push(...files);
      void drain();
    },
  });
  const headingId = `process-h-${workId ?? 'new'}`;
  return h('section', { class: 'process', 'aria-labelledby': headingId }, h('h2', { id: headingId }, options.heading), h('p', null, options.intro), zone.el, progress.el, slot, list);
}
