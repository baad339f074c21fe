/**
 * Identities kept on this device, in IndexedDB. The private key is stored as a non-extractable CryptoKey:
 * it can sign, but not be read back, even by this page's own scripts.
 */
import type { AccountKind, PublicJwk, SigningIdentity } from '../keys.ts';

export interface StoredIdentity extends SigningIdentity {
  handle: string;
  displayName: string;
  kind: AccountKind;
  /** false until the account was created on the server. */
  registered: boolean;
  createdAt: string;
}

const DB_NAME = 'aura';
const STORE = 'identities';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'handle' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB is unavailable'));
  });
}

async function run<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result as T);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    });
  } finally {
    db.close();
  }
}

export const saveIdentity = (identity: StoredIdentity) => run<IDBValidKey>('readwrite', (s) => s.put(identity));
export const deleteIdentity = (handle: string) => run<undefined>('readwrite', (s) => s.delete(handle));
export const getIdentity = (handle: string) => run<StoredIdentity | undefined>('readonly', (s) => s.get(handle));
export const listIdentities = async (): Promise<StoredIdentity[]> =>
  (await run<StoredIdentity[]>('readonly', (s) => s.getAll())).sort((a, b) => a.handle.localeCompare(b.handle));

export type { PublicJwk };
