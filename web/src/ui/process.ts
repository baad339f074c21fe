import { api, urls } from '../api.ts';
import { signCredential } from '../keys.ts';
import type { StoredIdentity } from '../lib/identities.ts';
import { clearError, dropZone, errorSlot, progressBar, showError } from './components.ts';
import { h, replace } from './dom.ts';

/**
 * Adds work-in-progress images to a registered work: each is uploaded as a draft, signed here, and
 * recorded in the log. Three or more over at least 24 hours raise the work to evidence level 2.
 */
export function processUploader(workId: string, identity: StoredIdentity, onAdded?: () => void): HTMLElement {
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
        const item = h('li', null, `${file.name}: uploading…`);
        list.append(item);
        try {
          const draft = await api.createProcessDraft(workId, file, (f) => progress.set(f, `Uploading ${file!.name}… ${Math.round(f * 100)}%`));
          progress.busy(`Signing ${file.name} with your key…`);
          const jws = await signCredential(identity, draft.payload);
          const result = await api.submitProcess(workId, draft.draftId, jws);
          replace(item, `${file.name}: recorded`, typeof result.logIndex === 'number' ? [' as log entry ', h('a', { href: urls.logEntry(result.logIndex) }, `#${result.logIndex}`)] : '', ' ✓');
          item.className = 'ok';
          onAdded?.();
        } catch (err) {
          item.textContent = `${file.name}: not recorded`;
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
  return h(
    'section',
    { class: 'process', 'aria-labelledby': `process-h-${workId}` },
    h('h2', { id: `process-h-${workId}` }, 'Process evidence'),
    h('p', null, 'Three or more work-in-progress images, registered over at least 24 hours, raise the work to evidence level 2.'),
    zone.el,
    progress.el,
    slot,
    list,
  );
}
