/**
 * Who is signed in. The session itself is an HttpOnly cookie the page cannot read; this remembers which
 * identity it belongs to and when it ends, so the UI can show it and sign with the matching key.
 */
import { api, ApiError, UNAUTHENTICATED_EVENT, type Account } from '../api.ts';
import { signAuthChallenge } from '../keys.ts';
import { getIdentity, type StoredIdentity } from './identities.ts';

export interface SessionInfo {
  handle: string;
  displayName: string;
  kind: 'artist' | 'organization';
  kid: string;
  expiresAt: string;
}

const KEY = 'aura.session';
const listeners = new Set<() => void>();

export function currentSession(): SessionInfo | null {
  try {
    const info = JSON.parse(localStorage.getItem(KEY) ?? 'null') as SessionInfo | null;
    if (!info || Date.parse(info.expiresAt) <= Date.now()) return null;
    return info;
  } catch {
    return null;
  }
}

window.addEventListener(UNAUTHENTICATED_EVENT, () => {
  if (localStorage.getItem(KEY) !== null) setSession(null);
});

export function onSessionChange(listener: () => void): void {
  listeners.add(listener);
}

function setSession(info: SessionInfo | null): void {
  if (info) localStorage.setItem(KEY, JSON.stringify(info));
  else localStorage.removeItem(KEY);
  for (const l of listeners) l();
}

export async function signIn(identity: StoredIdentity): Promise<Account> {
  const { nonce } = await api.challenge(identity.kid);
  const jws = await signAuthChallenge(identity, nonce, location.origin);
  const session = await api.createSession(jws);
  const account = session.account;
  setSession({
    handle: account.handle ?? identity.handle,
    displayName: account.displayName ?? identity.displayName,
    kind: account.kind ?? identity.kind,
    kid: identity.kid,
    expiresAt: session.expiresAt,
  });
  return account;
}

export async function signOut(): Promise<void> {
  try {
    await api.endSession();
  } catch (err) {
    // A server without a sign-out route still lets the cookie expire on its own; nothing else to undo.
    if (!(err instanceof ApiError) || err.status >= 500 || err.status === 0) throw err;
  } finally {
    setSession(null);
  }
}

/** The signed-in identity together with its key on this device, or null. */
export async function signedInIdentity(): Promise<StoredIdentity | null> {
  const session = currentSession();
  if (!session) return null;
  const identity = await getIdentity(session.handle);
  return identity && identity.kid === session.kid ? identity : null;
}
