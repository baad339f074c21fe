import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/**
 * Kysely types of every table. Int8 columns are parsed to `number` on both dialects (see db/open.ts),
 * bytea to Buffer, jsonb to plain values, timestamptz to Date.
 */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = unknown> = ColumnType<T, string, string>;

export interface AccountsTable {
  id: string;
  handle: string;
  kind: 'artist' | 'organization';
  display_name: string;
  bio: string;
  website: string | null;
  created_at: Timestamp;
  log_index: number | null;
  /** The creation proof covers display name, bio and website (migration 0016; false for older accounts). */
  profile_signed: Generated<boolean>;
}

export interface KeysTable {
  kid: string;
  account_id: string;
  jwk: Json<Record<string, string>>;
  status: 'active' | 'revoked';
  added_at: Timestamp;
  added_log_index: number | null;
  revoked_at: Date | null;
  revoked_log_index: number | null;
}

export interface AuthChallengesTable {
  nonce: string;
  expires_at: Date;
  used_at: Date | null;
}

export interface DraftsTable {
  id: string;
  account_id: string;
  payload: Json<Record<string, unknown>>;
  fingerprint: Json<Record<string, unknown>>;
  evidence_private: Json<Record<string, unknown>>;
  thumbnail: Buffer | null;
  created_at: Timestamp;
  expires_at: Date;
  used_at: Date | null;
  kind: ColumnType<'work' | 'process' | 'attestation', 'work' | 'process' | 'attestation' | undefined, never>;
  work_id: string | null;
}

export interface WorksTable {
  id: string;
  account_id: string;
  kid: string;
  jws: string;
  payload: Json<Record<string, unknown>>;
  sha256: string;
  pdq: string;
  pdq_quality: number;
  width: number;
  height: number;
  title: string;
  digital_source_type: string;
  evidence_private: Json<Record<string, unknown>>;
  thumbnail: Buffer;
  status: 'active' | 'revoked';
  created_at: Timestamp;
  log_index: number;
  revoked_at: Date | null;
  revoked_log_index: number | null;
  revocation_jws: string | null;
  composite: ColumnType<boolean, boolean | undefined, boolean>;
  search_text: ColumnType<string, string | undefined, string>;
  /** api/images/colour-layout.ts; null until computed for works registered before migration 0012. */
  colour_layout: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ProcessImagesTable {
  id: string;
  work_id: string | null;
  account_id: string;
  kid: string;
  jws: string;
  sha256: string;
  pdq: string;
  thumbnail: Buffer;
  created_at: Timestamp;
  log_index: number;
}

export interface AttestationsTable {
  id: string;
  work_id: string;
  issuer_account_id: string;
  kid: string;
  type: string;
  note: string | null;
  date: string | null;
  jws: string;
  status: 'active' | 'revoked';
  created_at: Timestamp;
  log_index: number;
  revoked_at: Date | null;
  revoked_log_index: number | null;
  revocation_jws: string | null;
}

export interface DisputesTable {
  id: string;
  work_id: string;
  account_id: string;
  kid: string;
  reason: 'ai-generated' | 'not-the-author' | 'copied';
  text: string;
  jws: string;
  status: 'open' | 'resolved';
  created_at: Timestamp;
  log_index: number;
}

export interface LogEntriesTable {
  idx: number;
  body: Buffer;
  leaf_hash: Buffer;
  type: string;
  subject_id: string | null;
  created_at: Timestamp;
}

export interface LogNodesTable {
  level: number;
  idx: number;
  hash: Buffer;
}

export interface CheckpointsTable {
  size: number;
  root: Buffer;
  note: string;
  created_at: Timestamp;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: Timestamp;
}

/**
 * Multi-index hashing of stored PDQ hashes (migrations 0003, 0023): the hash as four bigint words, most
 * significant first (api/matching/hashes.ts hashWords); the slot btrees index expressions over them.
 */
export interface WorkHashesTable {
  id: Generated<number>;
  work_id: string;
  label: string;
  h0: string;
  h1: string;
  h2: string;
  h3: string;
  /** 0 'lightness' or 'lightness-clipped', 1 'global', 2 'alpha-black', 3 'crop-72', 4 another region; generated from label (migrations 0006, 0008, 0009). */
  label_class: Generated<number>;
}

/** Idempotency-Key records (migration 0005): `status` null while the first request is in flight. */
export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  fingerprint: string;
  status: number | null;
  content_type: string | null;
  response: Buffer | null;
  created_at: Timestamp;
  locked_until: Date;
  expires_at: Date;
}

/** The registry's own public keys that every process must share (migration 0017); role 'operator'. */
export interface RegistryKeysTable {
  role: string;
  kid: string;
  public_jwk: Json<Record<string, string>>;
  created_at: Timestamp;
}

/** The operator's current word on an organisation (migration 0017); the log holds every change. */
export interface OrganizationVerificationsTable {
  account_id: string;
  status: 'verified' | 'withdrawn';
  operator_kid: string;
  note: string | null;
  domain: string | null;
  verified_at: Date;
  verified_log_index: number;
  verification_jws: string;
  withdrawn_at: Date | null;
  withdrawn_log_index: number | null;
  withdrawal_jws: string | null;
  withdrawal_reason: string | null;
}

/** Domains an organisation proved it controls through https://<domain>/.well-known/aura.json (migration 0017). */
export interface OrganizationDomainsTable {
  account_id: string;
  domain: string;
  kids: Json<string[]>;
  document_sha256: string;
  linked_at: Date;
  log_index: number;
}

/** One row per accepted client JWS (migration 0015), keyed by the SHA-256 of `header.payload`. */
export interface UsedSignaturesTable {
  signing_input_sha256: Buffer;
  purpose: string;
  account_id: string | null;
  used_at: Date;
}

/** Server-side sessions (migration 0015): a token is honoured while its row exists and is not revoked. */
export interface SessionsTable {
  id: string;
  account_id: string;
  kid: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

/** The log's public key, stored by the first process on the database (migration 0016). */
export interface LogSigningKeyTable {
  id: number;
  public_key: Buffer;
  verifier_key: string;
  stored_at: Date;
}

export interface ContentCredentialsTable {
  manifest_id: string;
  work_id: string;
  format: string;
  manifest_store: Buffer;
  created_at: Timestamp;
}

export interface Database {
  server_secrets: ServerSecretsTable;
  accounts: AccountsTable;
  keys: KeysTable;
  auth_challenges: AuthChallengesTable;
  drafts: DraftsTable;
  works: WorksTable;
  process_images: ProcessImagesTable;
  attestations: AttestationsTable;
  disputes: DisputesTable;
  log_entries: LogEntriesTable;
  checkpoints: CheckpointsTable;
  log_nodes: LogNodesTable;
  work_hashes: WorkHashesTable;
  idempotency_keys: IdempotencyKeysTable;
  registry_keys: RegistryKeysTable;
  organization_verifications: OrganizationVerificationsTable;
  organization_domains: OrganizationDomainsTable;
  used_signatures: UsedSignaturesTable;
  sessions: SessionsTable;
  log_signing_key: LogSigningKeyTable;
  content_credentials: ContentCredentialsTable;
}

export type Work = Selectable<WorksTable>;
export type NewWork = Insertable<WorksTable>;
export type NewProcessImage = Insertable<ProcessImagesTable>;
export type NewAttestation = Insertable<AttestationsTable>;
export type NewDispute = Insertable<DisputesTable>;
export type Key = Selectable<KeysTable>;
