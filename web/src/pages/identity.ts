import { api, ApiError, urls } from '../api.ts';
import {
  backupFilename,
  checkPassphrase,
  createBackup,
  generateKey,
  restoreBackup,
  signAccountProof,
  MIN_PASSPHRASE_LENGTH,
  type AccountKind,
  type GeneratedKey,
} from '../keys.ts';
import { deleteIdentity, listIdentities, saveIdentity, type StoredIdentity } from '../lib/identities.ts';
import { currentSession, signIn, signOut } from '../lib/session.ts';
import type { PageContext } from '../router.ts';
import {
  clearError,
  errorSlot,
  fieldError,
  filePicker,
  progressBar,
  showError,
  showFormError,
  UserError,
  type ProgressBar,
} from '../ui/components.ts';
import { downloadBlob, field, formatDate, h, replace } from '../ui/dom.ts';

export async function renderIdentity(ctx: PageContext): Promise<void> {
  const list = h('div', { class: 'identity-list' });
  replace(
    ctx.main,
    h('h1', null, 'Your identity'),
    h(
      'p',
      { class: 'lede' },
      'On Aura your identity is a key. It is created in this browser and never leaves it; the registry only ever sees signatures made with it. Keep the encrypted backup somewhere safe: without it, a lost browser profile means a lost identity.',
    ),
    h('section', { 'aria-labelledby': 'ids-h' }, h('h2', { id: 'ids-h' }, 'On this device'), list),
    createSection(() => void refresh()),
    restoreSection(() => void refresh()),
  );
  async function refresh(): Promise<void> {
    replace(list, await identityList(() => void refresh()));
  }
  await refresh();
}

async function identityList(refresh: () => void): Promise<HTMLElement> {
  let identities: StoredIdentity[];
  try {
    identities = await listIdentities();
  } catch (err) {
    const slot = errorSlot();
    showError(
      slot,
      new UserError(
        `This browser does not let Aura store keys (${err instanceof Error ? err.message : 'IndexedDB unavailable'}). Private windows often block it.`,
      ),
    );
    return slot;
  }
  if (!identities.length)
    return h('p', { class: 'muted' }, 'No identity is stored in this browser yet. Create one below, or restore one from a backup file.');
  const session = currentSession();
  return h(
    'ul',
    { class: 'identities' },
    identities.map((id) => identityItem(id, session?.handle === id.handle && session.kid === id.kid, refresh)),
  );
}

/** One stored identity with its sign-in (or sign-out) and remove buttons. */
function identityItem(id: StoredIdentity, signedIn: boolean, refresh: () => void): HTMLElement {
  const slot = errorSlot();
  const progress = progressBar();
  const signInButton = h('button', { type: 'button', class: signedIn ? 'secondary' : 'primary' }, signedIn ? 'Sign out' : 'Sign in');
  signInButton.addEventListener('click', async () => {
    clearError(slot);
    signInButton.disabled = true;
    try {
      if (signedIn) await signOut();
      else {
        progress.busy('Signing the sign-in challenge with your key…');
        await signIn(id);
      }
      refresh();
    } catch (err) {
      progress.done();
      showError(slot, err);
      signInButton.disabled = false;
    }
  });
  const forget = h('button', { type: 'button', class: 'link danger' }, 'Remove from this browser');
  forget.addEventListener('click', async () => {
    if (!confirm(`Remove the key for @${id.handle} from this browser? You can only get it back from its backup file.`)) return;
    if (signedIn) await signOut().catch(() => undefined);
    await deleteIdentity(id.handle);
    refresh();
  });
  return h(
    'li',
    { class: `identity${signedIn ? ' current' : ''}` },
    h(
      'div',
      null,
      h('strong', null, id.displayName),
      ' ',
      id.registered ? h('a', { href: urls.profile(id.handle) }, `@${id.handle}`) : h('span', null, `@${id.handle}`),
      h('span', { class: 'tag' }, id.kind === 'organization' ? 'Organisation' : 'Artist'),
      signedIn ? h('span', { class: 'tag ok' }, 'Signed in') : null,
      h('p', { class: 'muted small' }, `Key ${id.kid} · created ${formatDate(id.createdAt)}`),
    ),
    h('div', { class: 'actions' }, signInButton, forget),
    progress.el,
    slot,
  );
}

/** The three steps of creating an identity: make a key, back it up, create the account with it. */
function createSection(refresh: () => void): HTMLElement {
  const progress = progressBar();
  const state: CreateState = {};
  const who = whoYouAreStep();
  const backup = backupStep();
  const account = accountStep();
  const form = h('form', { class: 'stack', novalidate: true }, who.el, backup.el, account.el, progress.el);
  const flow: CreateFlow = { state, progress, form, who, backup, account, refresh };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void generateKeyStep(flow);
  });
  const updateBackupButton = () => {
    backup.button.disabled = !backup.passphrase.value || !backup.passphrase2.value;
  };
  backup.passphrase.addEventListener('input', updateBackupButton);
  backup.passphrase2.addEventListener('input', updateBackupButton);
  backup.button.addEventListener('click', () => void downloadBackupStep(flow));
  account.button.addEventListener('click', () => void createAccountStep(flow));

  return h('section', { 'aria-labelledby': 'create-h' }, h('h2', { id: 'create-h' }, 'Create an identity'), form);
}

interface CreateState {
  key?: GeneratedKey | undefined;
  /** The handle the downloaded backup carries. */
  backedUpAs?: string;
}

interface CreateFlow {
  state: CreateState;
  progress: ProgressBar;
  form: HTMLFormElement;
  who: ReturnType<typeof whoYouAreStep>;
  backup: ReturnType<typeof backupStep>;
  account: ReturnType<typeof accountStep>;
  refresh: () => void;
}

function whoYouAreStep() {
  const kindArtist = h('input', { type: 'radio', name: 'kind', value: 'artist', id: 'kind-artist', checked: true });
  const kindOrg = h('input', { type: 'radio', name: 'kind', value: 'organization', id: 'kind-org' });
  const handle = h('input', {
    name: 'handle',
    required: true,
    autocomplete: 'username',
    spellcheck: 'false',
    autocapitalize: 'none',
    maxlength: '32',
  });
  const displayName = h('input', { name: 'displayName', required: true, autocomplete: 'name', maxlength: '100' });
  const bio = h('textarea', { name: 'bio', rows: '3', maxlength: '1000' });
  const website = h('input', { name: 'website', type: 'url', placeholder: 'https://', autocomplete: 'url' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Create my key');
  const status = h('p', { class: 'status', role: 'status' });
  const slot = errorSlot();
  const el = h(
    'fieldset',
    { class: 'step' },
    h('legend', null, '1. Who you are'),
    h(
      'div',
      { class: 'radio-group', role: 'radiogroup', 'aria-label': 'Kind of identity' },
      h('label', { for: 'kind-artist' }, kindArtist, ' Artist — I register my own works'),
      h('label', { for: 'kind-org' }, kindOrg, ' Organisation — a gallery, school or studio that attests works'),
    ),
    field('Handle', handle, '2–32 characters: lowercase letters, digits, - and _. Your public address will be /@handle.'),
    field('Display name', displayName),
    field('About (optional)', bio),
    field('Website (optional)', website),
    h('div', { class: 'actions' }, button),
    status,
    slot,
  );
  const kind = (): AccountKind => (kindOrg.checked ? 'organization' : 'artist');
  return { el, handle, displayName, bio, website, kind, button, status, slot };
}

function backupStep() {
  const passphrase = h('input', {
    name: 'passphrase',
    type: 'password',
    autocomplete: 'new-password',
    minlength: String(MIN_PASSPHRASE_LENGTH),
  });
  const passphrase2 = h('input', { name: 'passphrase2', type: 'password', autocomplete: 'new-password' });
  const button = h('button', { type: 'button', class: 'primary', disabled: true }, 'Download encrypted backup');
  const status = h('p', { class: 'status', role: 'status' });
  const slot = errorSlot();
  const el = h(
    'fieldset',
    { class: 'step', disabled: true },
    h('legend', null, '2. Back up your key'),
    h(
      'p',
      null,
      'Choose a passphrase. The backup file is encrypted with it; Aura never sees either. You must download the backup before continuing.',
    ),
    field('Backup passphrase', passphrase, `At least ${MIN_PASSPHRASE_LENGTH} characters. A few unrelated words work well.`),
    field('Repeat the passphrase', passphrase2),
    h('div', { class: 'actions' }, button),
    status,
    slot,
  );
  return { el, passphrase, passphrase2, button, status, slot };
}

function accountStep() {
  const button = h('button', { type: 'button', class: 'primary', disabled: true }, 'Create my account');
  const slot = errorSlot();
  const done = h('div', { class: 'done', role: 'status' });
  const el = h(
    'fieldset',
    { class: 'step', disabled: true },
    h('legend', null, '3. Create the account'),
    h(
      'p',
      null,
      'Your public key and a signature proving you hold it are sent to the registry. The account and its key become public log entries.',
    ),
    h('div', { class: 'actions' }, button),
    slot,
    done,
  );
  return { el, button, slot, done };
}

async function generateKeyStep({ state, progress, who, backup }: CreateFlow): Promise<void> {
  clearError(who.slot);
  who.handle.value = who.handle.value.trim().toLowerCase();
  if (!who.handle.value) return fieldError(who.handle, 'Choose a handle.');
  if (!who.displayName.value.trim()) return fieldError(who.displayName, 'Enter the name to show publicly.');
  if (state.key) return;
  who.button.disabled = true;
  progress.busy('Creating your key…');
  try {
    state.key = await generateKey();
    who.status.textContent = `Key created in this browser. Key id: ${state.key.kid}`;
    backup.el.disabled = false;
    who.button.textContent = 'Key created';
    backup.passphrase.focus();
  } catch (err) {
    showError(who.slot, err);
    who.button.disabled = false;
  } finally {
    progress.done();
  }
}

async function downloadBackupStep({ state, progress, who, backup, account }: CreateFlow): Promise<void> {
  clearError(backup.slot);
  if (!state.key) return;
  try {
    checkPassphrase(backup.passphrase.value, backup.passphrase2.value);
  } catch (err) {
    showError(backup.slot, err);
    return;
  }
  backup.button.disabled = true;
  progress.busy('Encrypting the backup (this takes a moment on purpose)…');
  try {
    const file = await createBackup(who.handle.value, state.key, backup.passphrase.value);
    downloadBlob(new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' }), backupFilename(file));
    state.backedUpAs = who.handle.value;
    backup.status.textContent = `Backup downloaded as ${backupFilename(file)}. Keep it and the passphrase somewhere safe — separately.`;
    account.el.disabled = false;
    account.button.disabled = false;
    account.button.focus();
  } catch (err) {
    showError(backup.slot, err);
  } finally {
    progress.done();
    backup.button.disabled = false;
  }
}

async function createAccountStep({ state, progress, form, who, account, refresh }: CreateFlow): Promise<void> {
  clearError(account.slot);
  const key = state.key;
  if (!key) return;
  if (state.backedUpAs !== who.handle.value.trim().toLowerCase()) {
    showError(
      account.slot,
      new UserError('The handle changed after the backup was made. Download the backup again so it carries the right handle.'),
    );
    return;
  }
  account.button.disabled = true;
  progress.busy('Signing the account request with your key…');
  try {
    const stored = await registerAccount(who, key);
    await saveIdentity(stored);
    progress.busy('Signing in…');
    await signIn(stored);
    state.key = undefined;
    replace(
      account.done,
      h('p', { class: 'ok' }, `Welcome, ${stored.displayName}. Your account @${stored.handle} is created and you are signed in.`),
      h(
        'p',
        null,
        h('a', { href: urls.profile(stored.handle) }, 'See your public profile'),
        ' · ',
        stored.kind === 'organization' ? h('a', { href: '/attest' }, 'Attest a work') : h('a', { href: '/register' }, 'Register a work'),
      ),
    );
    refresh();
  } catch (err) {
    account.button.disabled = false;
    if (err instanceof ApiError && err.code === 'handle_taken') {
      fieldError(who.handle, 'This handle is taken. Choose another, then download the backup again.');
    }
    showFormError(form, account.slot, err);
  } finally {
    progress.done();
  }
}

/** Signs the account request with the new key, creates the account and returns the identity to store. */
async function registerAccount(who: ReturnType<typeof whoYouAreStep>, key: GeneratedKey): Promise<StoredIdentity> {
  const profile = {
    displayName: who.displayName.value.trim(),
    ...(who.bio.value.trim() ? { bio: who.bio.value.trim() } : {}),
    ...(who.website.value.trim() ? { website: who.website.value.trim() } : {}),
  };
  const proof = await signAccountProof(key, who.handle.value, who.kind(), profile);
  const account = await api.createAccount({ handle: who.handle.value, ...profile, kind: who.kind(), jwk: key.publicJwk, proof });
  return {
    handle: account.handle ?? who.handle.value,
    displayName: account.displayName ?? who.displayName.value.trim(),
    kind: account.kind ?? who.kind(),
    kid: key.kid,
    publicJwk: key.publicJwk,
    privateKey: key.privateKey,
    registered: true,
    createdAt: new Date().toISOString(),
  };
}

function restoreSection(refresh: () => void): HTMLElement {
  const file = h('input', { type: 'file', name: 'backup', accept: '.aura-key,application/json' });
  const backupField = field('Backup file (.aura-key)', file);
  // The restyled picker takes the input's place in its field, before the field's error line.
  backupField.insertBefore(
    h('label', { class: 'file-picker-label' }, filePicker(file, 'Choose the backup file')),
    backupField.querySelector('.field-error'),
  );
  const passphrase = h('input', { type: 'password', name: 'passphrase', autocomplete: 'current-password' });
  const slot = errorSlot();
  const status = h('div', { class: 'status', role: 'status' });
  const progress = progressBar();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Restore');
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    backupField,
    field('Passphrase', passphrase),
    h('div', { class: 'actions' }, submit),
    progress.el,
    status,
    slot,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearError(slot);
    status.replaceChildren();
    const chosen = file.files?.[0];
    if (!chosen) return fieldError(file, 'Choose your .aura-key backup file.');
    if (!passphrase.value) return fieldError(passphrase, 'Enter the passphrase of this backup.');
    submit.disabled = true;
    progress.busy('Decrypting the backup…');
    try {
      const restored = await restoreBackup(await chosen.text(), passphrase.value);
      status.append(h('p', null, `Backup decrypted: key ${restored.kid} for @${restored.handle}.`));
      progress.busy('Looking up the account…');
      let account: Awaited<ReturnType<typeof api.getAccount>>;
      try {
        account = await api.getAccount(restored.handle);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'not_found') {
          throw new UserError(
            `There is no account @${restored.handle} on this registry, so this key cannot sign in here. If you never finished creating it, create a new identity.`,
          );
        }
        throw err;
      }
      const key = account.keys?.find((k) => k.kid === restored.kid);
      if (account.keys && (!key || (key.status && key.status !== 'active'))) {
        throw new UserError(
          `This key is ${key ? key.status : 'not one of the keys'} of @${restored.handle}, so it cannot act for the account.`,
        );
      }
      await saveIdentity({
        ...restored,
        displayName: account.displayName,
        kind: account.kind,
        registered: true,
        createdAt: new Date().toISOString(),
      });
      status.append(h('p', { class: 'ok' }, `@${restored.handle} is restored in this browser. You can sign in with it now.`));
      passphrase.value = '';
      refresh();
    } catch (err) {
      showError(slot, err);
    } finally {
      submit.disabled = false;
      progress.done();
    }
  });
  return h(
    'section',
    { 'aria-labelledby': 'restore-h' },
    h('h2', { id: 'restore-h' }, 'Restore from a backup'),
    h('p', null, 'Moving to a new browser or device? Load your .aura-key file and its passphrase.'),
    form,
  );
}
