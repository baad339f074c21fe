/**
 * Checks the public log in the browser, trusting nothing from the server but the log's verifier key:
 * the C2SP signed-note checkpoint signature and RFC 9162 inclusion proofs.
 */

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64.trim());
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

const sha256 = async (data: Uint8Array): Promise<Uint8Array> => new Uint8Array(await crypto.subtle.digest('SHA-256', concat(data)));

export interface NoteSignature { name: string; keyHash: string; signature: Uint8Array }

export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: string;
  /** The signed text: every line up to the blank line, each ending in a newline. */
  text: string;
  signatures: NoteSignature[];
}

export function parseCheckpoint(note: string): Checkpoint {
  const split = note.indexOf('\n\n');
  if (split < 0) throw new Error('the checkpoint is not a signed note (no blank line before the signatures)');
  const text = note.slice(0, split + 1);
  const [origin, sizeLine, rootHash] = text.split('\n');
  if (!origin || !sizeLine || !/^\d+$/.test(sizeLine) || !rootHash) throw new Error('the checkpoint body is malformed');
  const signatures: NoteSignature[] = [];
  for (const line of note.slice(split + 2).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) continue;
    const raw = base64ToBytes(m[2]!);
    if (raw.length < 5) continue;
    signatures.push({ name: m[1]!, keyHash: toHex(raw.slice(0, 4)), signature: raw.slice(4) });
  }
  return { origin, size: Number(sizeLine), rootHash, text, signatures };
}

export interface VerifierKey { name: string; keyHash: string; publicKey: Uint8Array }

export function parseVerifierKey(vkey: string): VerifierKey {
  // The base64 key may itself contain '+', so only the first two separate fields.
  const m = /^([^+\s]+)\+([0-9a-fA-F]{8})\+(\S+)$/.exec(vkey.trim());
  if (!m) throw new Error('the verifier key is malformed');
  const [, name, keyHash, b64] = m as unknown as [string, string, string, string];
  const raw = base64ToBytes(b64);
  if (raw[0] !== 0x01 || raw.length !== 33) throw new Error('the verifier key is not an Ed25519 key');
  return { name, keyHash: keyHash.toLowerCase(), publicKey: raw.slice(1) };
}

/** True when a signature line by this key verifies over the note text. */
export async function verifyCheckpoint(checkpoint: Checkpoint, vkey: VerifierKey): Promise<boolean> {
  const expectedHash = toHex((await sha256(concat(new TextEncoder().encode(`${vkey.name}\n`), new Uint8Array([1]), vkey.publicKey))).slice(0, 4));
  if (expectedHash !== vkey.keyHash) return false;
  const key = await crypto.subtle.importKey('raw', concat(vkey.publicKey), { name: 'Ed25519' }, false, ['verify']);
  for (const sig of checkpoint.signatures) {
    if (sig.name !== vkey.name || sig.keyHash !== vkey.keyHash) continue;
    if (await crypto.subtle.verify({ name: 'Ed25519' }, key, concat(sig.signature), new TextEncoder().encode(checkpoint.text))) return true;
  }
  return false;
}

export const leafHash = (entry: Uint8Array) => sha256(concat(new Uint8Array([0]), entry));
const nodeHash = (left: Uint8Array, right: Uint8Array) => sha256(concat(new Uint8Array([1]), left, right));

/** RFC 9162 §2.1.3.2: recomputes the root from a leaf hash and its audit path. */
export async function rootFromInclusionProof(index: number, size: number, leaf: Uint8Array, proof: Uint8Array[]): Promise<Uint8Array | null> {
  if (index < 0 || index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

export async function verifyInclusion(entryBody: Uint8Array, index: number, size: number, proofB64: string[], rootB64: string): Promise<boolean> {
  const root = await rootFromInclusionProof(index, size, await leafHash(entryBody), proofB64.map(base64ToBytes));
  return root !== null && bytesToBase64(root) === rootB64.trim();
}
