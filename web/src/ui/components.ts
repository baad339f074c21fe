import { ApiError, type EvidenceLevel, type SignatureStatus } from '../api.ts';
import { KeyError } from '../keys.ts';
import { checkImageFile, describeMarkerKind, levelName } from '../lib/describe.ts';
import { formatDate, h, replace } from './dom.ts';

const FRIENDLY: Record<string, string> = {
  unsupported_media_type: 'This file type is not supported.',
  image_unreadable: 'This image could not be read — the file may be damaged or not really an image.',
  image_too_large: 'This file is larger than the upload limit.',
  payload_too_large: 'This request is too large.',
  too_many_pixels: 'This image has too many pixels.',
  ai_markers_found: 'This image carries markers of AI generation, so it cannot be registered as human-made.',
  unauthenticated: 'You need to sign in first.',
  invalid_signature: 'The signature was not accepted.',
  challenge_invalid: 'The sign-in challenge expired or was already used. Try again.',
  forbidden: 'You are not allowed to do this.',
  key_revoked: 'This key has been revoked on your account.',
  wrong_account_kind: 'Your account is not of the right kind for this.',
  not_found: 'Not found.',
  route_not_found: 'The server does not offer this yet.',
  handle_taken: 'This handle is already taken.',
  priority_conflict: 'A matching work was registered earlier by someone else.',
  draft_used: 'This draft was already used. Start again.',
  already_revoked: 'This was already revoked.',
  rate_limited: 'Too many requests. Wait a moment and try again.',
  database_unavailable: 'The registry is temporarily unavailable. Try again shortly.',
  network_error: 'The server could not be reached.',
};

/** A problem found in the page itself (a wrong file, a missing field): its message is shown as is. */
export class UserError extends Error {}

/** A readable sentence for any error; API text is only ever placed with textContent. */
export function errorMessage(err: unknown): { title: string; detail: string | undefined } {
  if (err instanceof ApiError) {
    const friendly = FRIENDLY[err.code];
    const detail = err.body.detail;
    return friendly
      ? { title: friendly, detail: detail && detail !== friendly ? detail : undefined }
      : { title: detail ?? err.message, detail: undefined };
  }
  if (err instanceof KeyError || err instanceof UserError) return { title: err.message, detail: undefined };
  if (err instanceof Error) return { title: 'Something went wrong.', detail: err.message };
  return { title: 'Something went wrong.', detail: String(err) };
}

export function errorBox(err: unknown): HTMLElement {
  const { title, detail } = errorMessage(err);
  const markers = err instanceof ApiError && Array.isArray(err.body.aiMarkers) ? err.body.aiMarkers : [];
  // With the markers listed, the server's sentence would only repeat them.
  const box = h(
    'div',
    { class: 'error', role: 'alert' },
    h('p', { class: 'error-title' }, title),
    detail && !markers.length ? h('p', { class: 'error-detail' }, detail) : null,
  );
  if (err instanceof ApiError) {
    if (markers.length) {
      box.append(
        h('p', null, 'What was found:'),
        markerList(markers),
        h(
          'p',
          null,
          'If the work really combines your own work with generated material, choose a declared composite under “How the image was made”: it is then registered and shown as a composite.',
        ),
      );
    }
    if (err.code === 'unauthenticated')
      box.append(h('p', null, h('a', { href: '/identity' }, 'Sign in again'), ' — sessions last an hour.'));
    if (err.code !== 'network_error') box.append(h('p', { class: 'error-code' }, `Error code: ${err.code}`));
  }
  return box;
}

/** Shows an error in a slot (an element reserved next to what caused it). */
export function showError(slot: HTMLElement, err: unknown): void {
  replace(slot, errorBox(err));
  slot.hidden = false;
}

export function clearError(slot: HTMLElement): void {
  slot.replaceChildren();
  slot.hidden = true;
}

/**
 * Puts validation messages beside the fields they concern (matching the problem's `errors[].path` to
 * field names) and the overall message in the form's error slot.
 */
export function showFormError(form: HTMLFormElement, slot: HTMLElement, err: unknown): void {
  for (const el of form.querySelectorAll<HTMLElement>('.field-error')) {
    el.hidden = true;
    el.textContent = '';
  }
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
  if (err instanceof ApiError && Array.isArray(err.body.errors)) {
    for (const e of err.body.errors) {
      const name = String(e.path ?? '').split('.')[0];
      const control = name ? form.querySelector<HTMLElement>(`[name="${CSS.escape(name)}"]`) : null;
      const msg = control ? document.getElementById(`${control.id}-error`) : null;
      if (control && msg) {
        msg.textContent = String(e.message);
        msg.hidden = false;
        control.setAttribute('aria-invalid', 'true');
      }
    }
  }
  showError(slot, err);
  form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}

export function fieldError(control: HTMLElement, message: string): void {
  const msg = document.getElementById(`${control.id}-error`);
  if (msg) {
    msg.textContent = message;
    msg.hidden = false;
  }
  control.setAttribute('aria-invalid', 'true');
  control.focus();
}

export function errorSlot(): HTMLDivElement {
  return h('div', { class: 'error-slot', hidden: true });
}

export interface ProgressBar {
  el: HTMLElement;
  set(fraction: number, label?: string): void;
  busy(label: string): void;
  done(): void;
}

export function progressBar(): ProgressBar {
  const bar = h('progress', { max: '100', value: '0' });
  const label = h('span', { class: 'progress-label' });
  const el = h('div', { class: 'progress', role: 'status', 'aria-live': 'polite', hidden: true }, bar, label);
  return {
    el,
    set(fraction, text) {
      el.hidden = false;
      bar.value = Math.round(fraction * 100);
      label.textContent = text ?? `Uploading… ${Math.round(fraction * 100)}%`;
    },
    busy(text) {
      el.hidden = false;
      bar.removeAttribute('value');
      label.textContent = text;
    },
    done() {
      el.hidden = true;
    },
  };
}

/** The level as the server computed, named and explained it. */
export function levelBadge(level: EvidenceLevel, withExplanation = true): HTMLElement {
  return h(
    'div',
    { class: `level level-${level.level}` },
    h(
      'span',
      { class: 'level-badge' },
      h('span', { class: 'level-number', 'aria-hidden': 'true' }, String(level.level)),
      h('span', null, `Evidence level ${level.level}: ${levelName(level.name)}`),
    ),
    withExplanation ? h('p', { class: 'level-explanation' }, level.explanation) : null,
  );
}

/**
 * A signature's standing, in words. A key revoked after the work was logged does not void the signature
 * (the log proves when it was made), but the reader is told, as `aura verify-bundle` does.
 */
export function signatureStatus(sig: SignatureStatus | undefined, valid = 'Valid artist signature'): HTMLElement {
  if (sig?.valid) {
    return h(
      'span',
      { class: 'ok signature' },
      `✓ ${valid}`,
      sig.keyRevokedAt
        ? h(
            'span',
            { class: 'key-revoked-later' },
            ` — by a key that was active when the work was logged and was revoked on ${formatDate(sig.keyRevokedAt)}`,
          )
        : null,
    );
  }
  return h(
    'span',
    { class: 'bad signature' },
    sig?.keyActiveAtLogTime === false ? '✗ Signed with a key that was not active on the account at the time' : '✗ Signature not valid',
  );
}

export function markerList(markers: { kind: string; where: string; value: string }[]): HTMLElement {
  return h(
    'ul',
    { class: 'markers' },
    markers.map((m) =>
      h('li', null, h('strong', null, describeMarkerKind(m.kind)), ` — found in ${m.where}: `, h('code', null, truncate(m.value, 160))),
    ),
  );
}

export const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function definitionList(rows: [string, string | Node | null | undefined][]): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    rows
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => [h('dt', null, k), h('dd', null, v as string | Node)]),
  );
}

export interface DropZone {
  el: HTMLElement;
  input: HTMLInputElement;
}

/**
 * A file picker that also accepts drag-and-drop and paste. The real <input type=file> stays in the
 * accessibility tree (visually restyled), so keyboard and screen-reader users use it directly.
 */
export function dropZone(options: {
  label: string;
  hint: string;
  name?: string;
  multiple?: boolean;
  onFiles: (files: File[]) => void;
  errorSlot: HTMLElement;
}): DropZone {
  const multiple = options.multiple ?? false;
  const input = h('input', { type: 'file', name: options.name ?? 'image', accept: 'image/*', multiple });
  const el = h(
    'label',
    { class: 'drop-zone' },
    h('span', { class: 'drop-title' }, options.label),
    h('span', { class: 'drop-hint' }, options.hint),
    filePicker(input, multiple ? 'Choose images' : 'Choose an image'),
  );
  const accept = (files: File[]) => {
    const ok: File[] = [];
    for (const f of files) {
      const problem = checkImageFile(f);
      if (problem) {
        showError(options.errorSlot, new UserError(problem));
        return;
      }
      ok.push(f);
    }
    if (ok.length) {
      clearError(options.errorSlot);
      options.onFiles(ok);
    }
  };
  input.addEventListener('change', () => {
    accept(Array.from(input.files ?? []));
  });
  el.addEventListener('dragover', (e) => {
    e.preventDefault();
    el.classList.add('dragging');
  });
  el.addEventListener('dragleave', () => el.classList.remove('dragging'));
  el.addEventListener('drop', (e) => {
    e.preventDefault();
    el.classList.remove('dragging');
    accept(Array.from(e.dataTransfer?.files ?? []));
  });
  return { el, input };
}

/**
 * The browser's own file button ("Choose File / No file chosen") restyled: the input stays in the page,
 * focusable and labelled, but invisible; a button-like text and the chosen file names stand in for it.
 * Put it inside a <label> (or give it one) so that clicking the stand-in opens the picker.
 */
export function filePicker(input: HTMLInputElement, buttonText: string): HTMLElement {
  input.classList.add('file-input');
  const chosen = h('span', { class: 'file-name' }, 'No file chosen');
  const show = () => {
    const names = Array.from(input.files ?? []).map((f) => f.name);
    chosen.textContent = names.length === 0 ? 'No file chosen' : names.length === 1 ? names[0]! : `${names.length} files`;
  };
  input.addEventListener('change', show);
  return h(
    'span',
    { class: 'file-picker' },
    input,
    h('span', { class: 'button secondary file-button', 'aria-hidden': 'true' }, buttonText),
    chosen,
  );
}

/** Page-wide paste of an image (the listener is removed when the page changes). */
export function listenForPaste(signal: AbortSignal, onFile: (file: File) => void): void {
  document.addEventListener(
    'paste',
    (e) => {
      const file = Array.from(e.clipboardData?.files ?? []).find((f) => f.type.startsWith('image/'));
      if (file) {
        e.preventDefault();
        onFile(file);
      }
    },
    { signal },
  );
}
