import type { Transaction } from 'kysely';
import type { JWK } from 'jose';
import type { Database } from '../../db/schema.ts';

/** What a feature hands the log: the event type, the subject it is about, and its fields (signed JWS, references). */
export interface LogEventInput {
  type: string;
  /** The id of the row the entry records (work id, attestation id, kid …); indexed for timelines. */
  subjectId?: string;
  [field: string]: unknown;
}

/** One entry: `body` is the exact RFC 8785 bytes that were leaf-hashed; `entry` the same JSON decoded. */
export interface AppendedEntry {
  index: number;
  leafHash: Buffer;
  body: Buffer;
  entry: Record<string, unknown>;
}

export interface SignedCheckpoint {
  origin: string;
  size: number;
  rootHash: Buffer;
  /** The whole C2SP signed note, text/plain. */
  note: string;
}

export interface InclusionProof {
  index: number;
  size: number;
  /** base64, RFC 6962 order. */
  hashes: string[];
}

export interface ConsistencyProof {
  from: number;
  to: number;
  hashes: string[];
}

export interface TransparencyLog {
  /** Appends inside the caller's transaction (so the row and its entry commit or fail together). */
  append(trx: Transaction<Database>, event: LogEventInput): Promise<AppendedEntry>;
  /** Stores this process's log key in the database if none is; rejects when the stored one differs. */
  claimKey(): Promise<void>;
  /** Signs and stores a checkpoint for the current tree if it grew; returns the latest checkpoint. */
  checkpoint(): Promise<SignedCheckpoint>;
  inclusionProof(index: number, size: number): Promise<InclusionProof>;
  consistencyProof(from: number, to: number): Promise<ConsistencyProof>;
  getEntry(index: number): Promise<AppendedEntry | undefined>;
  /** C2SP note verifier key `<name>+<hex key id>+<base64(0x01 ‖ public key)>`. */
  verifierKey: string;
  /** The log key as a public JWK (with `kid`), for /.well-known/jwks.json. */
  publicJwk: JWK;
}
