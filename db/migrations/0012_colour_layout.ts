import { sql, type Kysely } from 'kysely';

/**
 * Each work's colour layout (api/images/colour-layout.ts), so that a colourway of a registered design is
 * reported as similar, not as the same image. Null for works registered before it existed until
 * `npm run db:backfill-windows` computes it from their thumbnails.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table works add column colour_layout text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table works drop column colour_layout`.execute(db);
}
