import type { Migration } from 'kysely';
import * as initial from './0001_initial.ts';
import * as logTree from './0002_log_tree.ts';
import * as matchIndex from './0003_match_index.ts';
import * as registry from './0004_registry.ts';
import * as idempotency from './0005_idempotency.ts';
import * as matchLabelClass from './0006_match_label_class.ts';
import * as matchFunction from './0007_match_function.ts';
import * as lightnessClass from './0008_lightness_class.ts';
import * as clippedLightness from './0009_clipped_lightness.ts';
import * as matchQueryFunction from './0010_match_query_function.ts';
import * as degenerateHashes from './0011_degenerate_hashes.ts';
import * as colourLayout from './0012_colour_layout.ts';
import * as edgeClasses from './0013_edge_classes.ts';
import * as slimSlotIndexes from './0014_slim_slot_indexes.ts';
import * as replayAndSessions from './0015_replay_and_sessions.ts';
import * as profileSignatureAndLogKey from './0016_profile_signature_and_log_key.ts';
import * as organizationTrust from './0017_organization_trust.ts';
import * as contentCredentials from './0019_content_credentials.ts';
import * as structureClass from './0020_structure_class.ts';
import * as matchFamilies from './0021_match_families.ts';
import * as partClasses from './0022_part_classes.ts';
import * as hashWords from './0023_hash_words.ts';
import * as flatPatternHashes from './0024_flat_pattern_hashes.ts';

/** All migrations in order. Add new ones here; names sort lexically. */
export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_log_tree': logTree,
  '0003_match_index': matchIndex,
  '0004_registry': registry,
  '0005_idempotency': idempotency,
  '0006_match_label_class': matchLabelClass,
  '0007_match_function': matchFunction,
  '0008_lightness_class': lightnessClass,
  '0009_clipped_lightness': clippedLightness,
  '0010_match_query_function': matchQueryFunction,
  '0011_degenerate_hashes': degenerateHashes,
  '0012_colour_layout': colourLayout,
  '0013_edge_classes': edgeClasses,
  '0014_slim_slot_indexes': slimSlotIndexes,
  '0015_replay_and_sessions': replayAndSessions,
  '0016_profile_signature_and_log_key': profileSignatureAndLogKey,
  '0017_organization_trust': organizationTrust,
  '0019_content_credentials': contentCredentials,
  '0020_structure_class': structureClass,
  '0021_match_families': matchFamilies,
  '0022_part_classes': partClasses,
  '0023_hash_words': hashWords,
  '0024_flat_pattern_hashes': flatPatternHashes,
};
