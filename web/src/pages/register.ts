import { api, retrySafely, urls, type Receipt, type WorkDraft } from '../api.ts';
import { signCredential } from '../keys.ts';
import { COMPOSITE_SOURCE_TYPES, DIGITAL_SOURCE_BASE, HUMAN_SOURCE_TYPES } from '../lib/describe.ts';
import type { StoredIdentity } from '../lib/identities.ts';
import { signedInIdentity } from '../lib/session.ts';
import type { PageContext } from '../router.ts';
import {
  UserError,
  clearError,
  definitionList,
  dropZone,
  errorSlot,
  fieldError,
  markerList,
  progressBar,
  showError,
  showFormError,
  type ProgressBar,
} from '../ui/components.ts';
import { field, h, replace } from '../ui/dom.ts';
import { evidenceSection } from '../ui/evidence.ts';
import { processUploader } from '../ui/process.ts';

export async function renderRegister(ctx: PageContext): Promise<void> {
  const identity = await signedInIdentity();
  if (ctx.signal.aborted) return;
  if (!identity) {
    replace(
      ctx.main,
      h('h1', null, 'Register a work'),
      h(
        'p',
        { class: 'lede' },
        'Registering a work means signing, with your own key, a statement that you made it. The signature, the image’s fingerprints and the date go into the public log.',
      ),
      h(
        'p',
        { class: 'notice' },
        'Sign in with your artist identity first. ',
        h('a', { href: '/identity' }, 'Create or restore an identity'),
      ),
    );
    return;
  }
  if (identity.kind !== 'artist') {
    replace(
      ctx.main,
      h('h1', null, 'Register a work'),
      h(
        'p',
        { class: 'notice' },
        'You are signed in as an organisation. Organisations attest works; artists register them. ',
        h('a', { href: '/attest' }, 'Attest a work'),
      ),
    );
    return;
  }
  renderForm(ctx, identity);
}

function renderForm(ctx: PageContext, identity: StoredIdentity): void {
  const image = imagePicker(ctx);
  const work = workFields();
  const formErrors = errorSlot();
  const progress = progressBar();
  const processIds: string[] = [];
  const processSection = processUploader({
    identity,
    heading: 'Work-in-progress images (optional, first)',
    intro:
      'Add sketches and stages before the final image: three or more, logged over at least 24 hours before the final is registered, raise the work to evidence level 2. They are linked to the work when you register it.',
    onAdded: (receipt) => receipt.processId && processIds.push(receipt.processId),
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Check the image');
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    h('div', { class: 'upload-row' }, h('div', null, image.zone.el, image.errors), image.preview),
    ...work.fields,
    h('div', { class: 'actions' }, submit),
    progress.el,
    formErrors,
  );
  const draftArea = h('div', { class: 'draft-area', 'aria-live': 'polite' });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void checkImage({ ctx, identity, image, work, processIds, submit, progress, form, formErrors, draftArea });
  });

  replace(
    ctx.main,
    h('h1', null, 'Register a work'),
    h(
      'p',
      { class: 'lede' },
      `Signed in as @${identity.handle}. You will review what the registry found before anything is signed or published.`,
    ),
    processSection,
    h('h2', null, 'The final work'),
    form,
    draftArea,
  );
}

/** The drop zone for the final image and its preview; the object URL is released when the page goes. */
function imagePicker(ctx: PageContext) {
  let file: File | undefined;
  let previewUrl: string | undefined;
  ctx.signal.addEventListener('abort', () => previewUrl && URL.revokeObjectURL(previewUrl));
  const errors = errorSlot();
  const preview = h('figure', { class: 'preview', hidden: true });
  const zone = dropZone({
    label: 'Choose the image of your work',
    hint: 'The exact file you want to register: its bytes and its look are both fingerprinted.',
    errorSlot: errors,
    onFiles: ([f]) => {
      file = f!;
      if (previewUrl) URL.revokeObjectURL(previewUrl);
      previewUrl = URL.createObjectURL(file);
      replace(preview, h('img', { src: previewUrl, alt: 'Preview of the chosen image' }), h('figcaption', null, file.name));
      preview.hidden = false;
    },
  });
  return { zone, errors, preview, file: () => file, previewUrl: () => previewUrl };
}

/** What the artist says about the work; `values` is the draft request's form fields. */
function workFields() {
  const title = h('input', { name: 'title', required: true, maxlength: '200' });
  const year = h('input', {
    name: 'year',
    type: 'number',
    inputmode: 'numeric',
    min: '1000',
    max: String(new Date().getFullYear()),
    value: String(new Date().getFullYear()),
  });
  const medium = h('input', { name: 'medium', maxlength: '200', placeholder: 'e.g. gouache on paper, digital painting' });
  const statement = h('textarea', { name: 'statement', rows: '3', maxlength: '2000' });
  statement.value = 'I made this work myself, by hand, without generative AI.';
  const source = h(
    'select',
    { name: 'digitalSourceType' },
    h(
      'optgroup',
      { label: 'Human-made' },
      HUMAN_SOURCE_TYPES.map((t) => h('option', { value: DIGITAL_SOURCE_BASE + t.term }, t.label)),
    ),
    h(
      'optgroup',
      { label: 'Declared composite (shown on the work)' },
      COMPOSITE_SOURCE_TYPES.map((t) => h('option', { value: DIGITAL_SOURCE_BASE + t.term }, t.label)),
    ),
  );
  const fields = [
    field('Title', title),
    h('div', { class: 'row' }, field('Year', year), field('Medium', medium)),
    field('Statement', statement, 'Your own words, signed with your key and shown on the work’s page.'),
    field('How the image was made', source, 'The IPTC digital source type recorded in the credential.'),
  ];
  const values = (processIds: string[]) => ({
    title: title.value.trim(),
    year: year.value,
    medium: medium.value.trim(),
    statement: statement.value.trim(),
    digitalSourceType: source.value,
    processIds: processIds.join(','),
  });
  return { fields, title, values };
}

interface RegisterForm {
  ctx: PageContext;
  identity: StoredIdentity;
  image: ReturnType<typeof imagePicker>;
  work: ReturnType<typeof workFields>;
  processIds: string[];
  submit: HTMLButtonElement;
  progress: ProgressBar;
  form: HTMLFormElement;
  formErrors: HTMLElement;
  draftArea: HTMLElement;
}

/** Sends the image and the fields for fingerprinting and screening, then shows the draft to review. */
async function checkImage({
  ctx,
  identity,
  image,
  work,
  processIds,
  submit,
  progress,
  form,
  formErrors,
  draftArea,
}: RegisterForm): Promise<void> {
  clearError(formErrors);
  draftArea.replaceChildren();
  const file = image.file();
  if (!file) {
    showError(image.errors, new UserError('Choose the image of your work.'));
    image.zone.input.focus();
    return;
  }
  if (!work.title.value.trim()) return fieldError(work.title, 'Give the work a title.');
  submit.disabled = true;
  progress.set(0);
  try {
    const draft = await api.createWorkDraft(file, work.values(processIds), (f) =>
      f < 1 ? progress.set(f) : progress.busy('Fingerprinting and screening the image…'),
    );
    if (ctx.signal.aborted) return;
    if ('existingWork' in draft) {
      replace(
        draftArea,
        h(
          'section',
          { class: 'notice', 'aria-labelledby': 'existing-h' },
          h('h2', { id: 'existing-h', tabindex: '-1' }, 'You registered this file already'),
          h('p', null, h('a', { href: urls.work(draft.existingWork.id) }, 'Open its work page')),
        ),
      );
    } else replace(draftArea, draftReview(ctx, identity, draft, image.previewUrl()!));
    draftArea.querySelector<HTMLElement>('h2')?.focus();
  } catch (err) {
    if (ctx.signal.aborted) return;
    showFormError(form, formErrors, err);
  } finally {
    progress.done();
    submit.disabled = false;
  }
}

function draftReview(ctx: PageContext, identity: StoredIdentity, draft: WorkDraft, previewUrl: string): HTMLElement {
  const fp = draft.fingerprint;
  const slot = errorSlot();
  const progress = progressBar();
  const sign = h('button', { type: 'button', class: 'primary' }, 'Sign and register');
  const register = retrySafely();
  const section = h(
    'section',
    { class: 'draft', 'aria-labelledby': 'draft-h' },
    h('h2', { id: 'draft-h', tabindex: '-1' }, 'Review before signing'),
    h(
      'div',
      { class: 'upload-row' },
      h('figure', { class: 'preview' }, h('img', { src: previewUrl, alt: 'The image to be registered' })),
      definitionList([
        ['Size', `${fp.width} × ${fp.height} px, ${fp.format}`],
        ['SHA-256', h('code', null, fp.sha256)],
        ['PDQ', h('code', null, fp.pdq)],
        [
          'PDQ quality',
          `${fp.pdqQuality}${draft.strictMatching ? ' — low: this is a flat or smooth image, so copies are matched with a stricter rule' : ''}`,
        ],
      ]),
    ),
    screeningBox(draft),
    evidenceSection(draft.evidence, 'Metadata found in the file'),
    h(
      'details',
      null,
      h('summary', null, 'Exactly what you are signing'),
      h('pre', { class: 'json' }, JSON.stringify(draft.payload, null, 2)),
    ),
    h('div', { class: 'actions' }, sign),
    progress.el,
    slot,
  );
  sign.addEventListener('click', async () => {
    clearError(slot);
    sign.disabled = true;
    try {
      progress.busy('Signing with your key…');
      const jws = await signCredential(identity, draft.payload);
      progress.busy('Recording in the public log…');
      const receipt = await register((key) => api.registerWork(draft.draftId, jws, key));
      if (ctx.signal.aborted) return;
      progress.done();
      // The form above is spent (its draft and process images are consumed): the page becomes the receipt.
      replace(ctx.main, h('h1', null, 'Register a work'), receiptView(identity, receipt));
      document.getElementById('receipt-h')?.focus();
    } catch (err) {
      progress.done();
      showError(slot, err);
      sign.disabled = false;
    }
  });
  return section;
}

/** What the metadata screening looked at, and what it cannot tell: it never says "human-made" on absence of evidence. */
/** A draft exists only for an image the screening let through (AI-marked ones are refused with ai_markers_found). */
function screeningBox(draft: WorkDraft): HTMLElement {
  const markers = draft.screening?.aiMarkers ?? [];
  const checked = h(
    'ul',
    null,
    h('li', null, 'the declared digital source type (IPTC, in XMP)'),
    h('li', null, 'Content Credentials (C2PA) and the generation steps they record'),
    h('li', null, 'text left by image generators: PNG prompt, workflow and parameters chunks, EXIF comments, Midjourney job IDs'),
    h('li', null, 'software names of known generators (Midjourney, DALL·E, Stable Diffusion, Firefly, ComfyUI …)'),
  );
  const declared = draft.screening?.verdict === 'composite-declared';
  return h(
    'div',
    { class: declared ? 'screening declared' : 'screening neutral' },
    h('h3', null, declared ? 'AI screening: composite declared' : 'AI screening: no AI markers in the metadata'),
    declared
      ? [
          h('p', null, 'You declare that this work combines your own work with generated or synthetic parts; the work page will say so.'),
          markers.length ? markerList(markers) : null,
        ]
      : h('p', null, 'The registry read the file’s metadata and found none of the signs of AI generation it looks for:'),
    checked,
    h(
      'p',
      { class: 'small' },
      'What this cannot prove: metadata is easily removed (a screenshot or a re-save drops it), and the pixels themselves are not judged. Finding nothing is not evidence that a person made the image: your signed statement is the claim, and work-in-progress images and attestations are what back it.',
    ),
  );
}

function receiptView(identity: StoredIdentity, receipt: Receipt): HTMLElement {
  return h(
    'section',
    { class: 'receipt', 'aria-labelledby': 'receipt-h' },
    h('h2', { id: 'receipt-h', tabindex: '-1' }, 'Registered ✓'),
    h(
      'p',
      null,
      'Your signed statement is now in the public log. Anyone can check it — and your signature — without trusting this server.',
    ),
    definitionList([
      ['Work', h('a', { href: urls.work(receipt.workId), class: 'work-link' }, `Open the work page (${receipt.workId})`)],
      ['Log entry', h('a', { href: urls.logEntry(receipt.logIndex) }, `#${receipt.logIndex}`)],
      ['Checkpoint', receipt.checkpoint ? h('pre', { class: 'checkpoint' }, receipt.checkpoint) : undefined],
    ]),
    h('p', null, h('a', { href: '/register', class: 'button secondary' }, 'Register another work')),
    processUploader({
      workId: receipt.workId,
      identity,
      heading: 'Add more work-in-progress images',
      intro:
        'Images added after registration are kept as process evidence on the work page; only those logged before the final count towards level 2.',
    }),
  );
}
