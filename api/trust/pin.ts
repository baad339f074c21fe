import { ConfigError } from '../config.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { pinRegistryKey } from './repository.ts';
import type { RegistryOperator } from './service.ts';

/** A ConfigError: `api/main.ts` prints its one line and exits 2. */
export class OperatorKeyMismatchError extends ConfigError {}

/**
 * Every process of one registry must vouch with one operator key: the first stores its public key in the
 * database; a process (or operator command) holding another key refuses to go on, naming AURA_OPERATOR_KEY.
 */
export async function pinOperatorKey(db: Kysely<Database>, operator: RegistryOperator): Promise<void> {
  const stored = await pinRegistryKey(db, 'operator', operator.kid, operator.publicJwk);
  if (stored !== operator.kid) {
    throw new OperatorKeyMismatchError(
      `AURA_OPERATOR_KEY: this process's operator key (${operator.kid}) is not the registry's operator key stored in the database (${stored}); give every process the same AURA_OPERATOR_KEY or restore operator-key.json`,
    );
  }
}
