import { api, ApiError, urls } from '../api.ts';
import { backupFilename, checkPassphrase, createBackup, generateKey, restoreBackup, signAccountProof, MIN_PASSPHRASE_LENGTH, type AccountKind, type GeneratedKey } from '../keys.ts';
import { deleteIdentity, listIdentities, saveIdentity, type StoredIdentity } from '../lib/identities.ts';
import { currentSession, signIn, signOut } from '../lib/session.ts';
import type { PageContext } from '../router.ts';
import { clearError, errorSlot, fieldError, filePicker, progressBar, showError, showFormError, UserError } from '../ui/components.ts';
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
    createSection(ctx, () => void refresh()),
    restoreSection(ctx, () => void refresh()),
  );
  async function refresh(): Promise<void> {
    replace(list, await identityList(ctx, () => void refresh()));
  }
  await refresh();
}

async function identityList(ctx: PageContext, refresh: () => void): Promise<HTMLElement> {
  let identities: StoredIdentity[];
  try {
    identities = await listIdentities();
  } catch (err) {
    const slot = errorSlot();
    showError(slot, new UserError(`This browser does not let Aura store keys (${err instanceof Error ? err.message : 'IndexedDB unavailable'}). Private windows often block it.`));
    return slot;
  }
  if (!identities.length) return h('p', { class: 'muted' }, 'No identity is stored in this browser yet. Create one below, or restore one from a backup file.');
  const session = currentSession();
  return h(
    'ul',
    { class: 'identities' },
    identities.map((id) => {
      const signedIn = session?.handle === id.handle && session.kid === id.kid;
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
    }),
  );
}

function createSection(ctx: PageContext, refresh: () => void): HTMLElement {
  const kindArtist = h('input', { type: 'radio', name: 'kind', value: 'artist', id: 'kind-artist', checked: true });
  const kindOrg = h('input', { type: 'radio', name: 'kind', value: 'organization', id: 'kind-org' });
  const handle = h('input', { name: 'handle', required: true, autocomplete: 'username', spellcheck: 'false', autocapitalize: 'none', maxlength: '32' });
  const displayName = h('input', { name: 'displayName', required: true, autocomplete: 'name', maxlength: '100' });
  const bio = h('textarea', { name: 'bio', rows: '3', maxlength: '1000' });
  const website = h('input', { name: 'website', type: 'url', placeholder: 'https://', autocomplete: 'url' });
  const passphrase = h('input', { name: 'passphrase', type: 'password', autocomplete: 'new-password', minlength: String(MIN_PASSPHRASE_LENGTH) });
  const passphrase2 = h('input', { name: 'passphrase2', type: 'password', autocomplete: 'new-password' });
  const generateButton = h('button', { type: 'submit', class: 'primary' }, 'Create my key');
  const backupButton = h('button', { type: 'button', class: 'primary', disabled: true }, 'Download encrypted backup');
  const createButton = h('button', { type: 'button', class: 'primary', disabled: true }, 'Create my account');
  const slot = errorSlot();
  const backupSlot = errorSlot();
  const createSlot = errorSlot();
  const progress = progressBar();
  const keyStatus = h('p', { class: 'status', role: 'status' });
  const backupStatus = h('p', { class: 'status', role: 'status' });
  const done = h('div', { class: 'done', role: 'status' });

  let key: GeneratedKey | undefined;
  let backedUpAs: string | undefined;
  const kind = (): AccountKind => (kindOrg.checked ? 'organization' : 'artist');

  const step2 = h(
    'fieldset',
    { class: 'step', disabled: true },
    h('legend', null, '2. Back up your key'),
    h('p', null, 'Choose a passphrase. The backup file is encrypted with it; Aura never sees either. You must download the backup before continuing.'),
    field('Backup passphrase', passphrase, `At least ${MIN_PASSPHRASE_LENGTH} characters. A few unrelated words work well.`),
    field('Repeat the passphrase', passphrase2),
    h('div', { class: 'actions' }, backupButton),
    backupStatus,
    backupSlot,
  );
  const step3 = h(
    'fieldset',
    { class: 'step', disabled: true },
    h('legend', null, '3. Create the account'),
    h('p', null, 'Your public key and a signature proving you hold it are sent to the registry. The account and its key become public log entries.'),
    h('div', { class: 'actions' }, createButton),
    createSlot,
    done,
  );
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    h(
      'fieldset',
      { class: 'step' },
      h('legend', null, '1. Who you are'),
      h('div', { class: 'radio-group', role: 'radiogroup', 'aria-label': 'Kind of identity' }, h('label', { for: 'kind-artist' }, kindArtist, ' Artist — I register my own works'), h('label', { for: 'kind-org' }, kindOrg, ' Organisation — a gallery, school or studio that attests works')),
      field('Handle', handle, '2–32 characters: lowercase letters, digits, - and _. Your public address will be /@handle.'),
      field('Display name', displayName),
      field('About (optional)', bio),
      field('Website (optional)', website),
      h('div', { class: 'actions' }, generateButton),
      keyStatus,
      slot,
    ),
    step2,
    step3,
    progress.el,
  );

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearError(slot);
    handle.value = handle.value.trim().toLowerCase();
    if (!handle.value) return fieldError(handle, 'Choose a handle.');
    if (!displayName.value.trim()) return fieldError(displayName, 'Enter the name to show publicly.');
    if (key) return;
    generateButton.disabled = true;
    progress.busy('Creating your key…');
    try {
      key = await generateKey();
      keyStatus.textContent = `Key created in this browser. Key id: ${key.kid}`;
      step2.disabled = false;
      generateButton.textContent = 'Key created';
      passphrase.focus();
    } catch (err) {
      showError(slot, err);
      generateButton.disabled = false;
    } finally {
      progress.done();
    }
  });

  const updateBackupButton = () => {
    backupButton.disabled = !passphrase.value || !passphrase2.value;
  };
  passphrase.addEventListener('input', updateBackupButton);
  passphrase2.addEventListener('input', updateBackupButton);

  backupButton.addEventListener('click', async () => {
    clearError(backupSlot);
    if (!key) return;
    try {
      checkPassphrase(passphrase.value, passphrase2.value);
    } catch (err) {
      showError(backupSlot, err);
      return;
    }
    backupButton.disabled = true;
    progress.busy('Encrypting the backup (this takes a moment on purpose)…');
    try {
      const backup = await createBackup(handle.value, key, passphrase.value);
      downloadBlob(new Blob([JSON.stringify(backup, null, 2)], { type: 'application/json' }), backupFilename(backup));
      backedUpAs = handle.value;
      backupStatus.textContent = `Backup downloaded as ${backupFilename(backup)}. Keep it and the passphrase somewhere safe — separately.`;
      step3.disabled = false;
      createButton.disabled = false;
      createButton.focus();
    } catch (err) {
      showError(backupSlot, err);
    } finally {
      progress.done();
      backupButton.disabled = false;
    }
  });

  createButton.addEventListener('click', async () => {
    clearError(createSlot);
    if (!key) return;
    if (backedUpAs !== handle.value.trim().toLowerCase()) {
      showError(createSlot, new UserError('The handle changed after the backup was made. Download the backup again so it carries the right handle.'));
      return;
    }
    createButton.disabled = true;
    progress.busy('Signing the account request with your key…');
    try {
      const profile = {
        displayName: displayName.value.trim(),
        ...(bio.value.trim() ? { bio: bio.value.trim() } : {}),
        ...(website.value.trim() ? { website: website.value.trim() } : {}),
      };
      const proof = await signAccountProof(key, handle.value, kind(), profile);
      const account = await api.createAccount({
        handle: handle.value,
        ...profile,
        kind: kind(),
        jwk: key.publicJwk,
        proof,
      });
      const stored: StoredIdentity = {
        handle: account.handle ?? handle.value,
        displayName: account.displayName ?? displayName.value.trim(),
        kind: account.kind ?? kind(),
        kid: key.kid,
        publicJwk: key.publicJwk,
        privateKey: key.privateKey,
        registered: true,
        createdAt: new Date().toISOString(),
      };
      await saveIdentity(stored);
      progress.busy('Signing in…');
      await signIn(stored);
      key = undefined;
      replace(
        done,
        h('p', { class: 'ok' }, `Welcome, ${stored.displayName}. Your account @${stored.handle} is created and you are signed in.`),
        h('p', null, h('a', { href: urls.profile(stored.handle) }, 'See your public profile'), ' · ', stored.kind === 'organization' ? h('a', { href: '/attest' }, 'Attest a work') : h('a', { href: '/register' }, 'Register a work')),
      );
      refresh();
    } catch (err) {
      createButton.disabled = false;
      if (err instanceof ApiError && err.code === 'handle_taken') {
        fieldError(handle, 'This handle is taken. Choose another, then download the backup again.');
      }
      showFormError(form, createSlot, err);
    } finally {
      progress.done();
    }
  });

  return h('section', { 'aria-labelledby': 'create-h' }, h('h2', { id: 'create-h' }, 'Create an identity'), form);
}

function restoreSection(ctx: PageContext, refresh: () => void): HTMLElement {
  const file = h('input', { type: 'file', name: 'backup', accept: '.aura-key,application/json' });
  const backupField = field('Backup file (.aura-key)', file);
  // The restyled picker takes the input's place in its field, before the field's error line.
  backupField.insertBefore(h('label', { class: 'file-picker-label' }, filePicker(file, 'Choose the backup file')), backupField.querySelector('.field-error'));
  const passphrase = h('input', { type: 'password', name: 'passphrase', autocomplete: 'current-password' });
  const slot = errorSlot();
  const status = h('div', { class: 'status', role: 'status' });
  const progress = progressBar();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Restore');
  const form = h('form', { class: 'stack', novalidate: true }, backupField, field('Passphrase', passphrase), h('div', { class: 'actions' }, submit), progress.el, status, slot);
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
      let account;
      try {
        account = await api.getAccount(restored.handle);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'not_found') {
          throw new UserError(`There is no account @${restored.handle} on this registry, so this key cannot sign in here. If you never finished creating it, create a new identity.`);
        }
        throw err;
      }
      const key = account.keys?.find((k) => k.kid === restored.kid);
      if (account.keys && (!key || (key.status && key.status !== 'active'))) {
        throw new UserError(`This key is ${key ? key.status : 'not one of the keys'} of @${restored.handle}, so it cannot act for the account.`);
      }
      await saveIdentity({ ...restored, displayName: account.displayName, kind: account.kind, registered: true, createdAt: new Date().toISOString() });
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
  return h('section', { 'aria-labelledby': 'restore-h' }, h('h2', { id: 'restore-h' }, 'Restore from a backup'), h('p', null, 'Moving to a new browser or device? Load your .aura-key file and its passphrase.'), form);
}
