import type pg from "pg";
import { ENVELOPE_PREFIX } from "./envelope.js";
import type { Keyring } from "./keyring.js";
import { SEALED_COLUMNS, type SealedColumn } from "./sealed-columns.js";

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function quoted(column: SealedColumn) {
  for (const name of [column.table, column.column, column.idColumn]) {
    if (!IDENTIFIER.test(name)) throw new Error(`invalid identifier in sealed column registry: ${name}`);
  }
  return { table: `"${column.table}"`, column: `"${column.column}"`, id: `"${column.idColumn}"` };
}

export interface RotationProgress {
  table: string;
  column: string;
  resealed: number;
  remaining: number;
}

/**
 * Re-seals every value not sealed by the current key, in batches of `batchSize` rows, each batch in its
 * own transaction with `FOR UPDATE SKIP LOCKED`. Idempotent and resumable: it only ever picks values
 * not yet under the current key, so an interrupted run continues where it stopped, and two runs can
 * share the work. Legacy plaintext (when allowed) is sealed too.
 */
export async function rotateSealedValues(
  pool: pg.Pool,
  keyring: Keyring,
  options: {
    columns?: readonly SealedColumn[];
    batchSize?: number;
    onProgress?: (progress: RotationProgress) => void;
    /** Stops after this many batches (tests interrupt a rotation with it). */
    maxBatches?: number;
  } = {},
): Promise<RotationProgress[]> {
  const currentKeyId = keyring.currentKeyId;
  if (!currentKeyId) throw new Error("ENCRYPTION_KEY is not configured; nothing to rotate to");
  const current = `${ENVELOPE_PREFIX}${currentKeyId}:`;
  const batchSize = options.batchSize ?? 500;
  let batches = 0;
  const report: RotationProgress[] = [];

  for (const column of options.columns ?? SEALED_COLUMNS) {
    const q = quoted(column);
    let resealed = 0;
    for (;;) {
      if (options.maxBatches !== undefined && batches >= options.maxBatches) break;
      const client = await pool.connect();
      let picked = 0;
      try {
        await client.query("BEGIN");
        const { rows } = await client.query<{ id: string; value: string }>(
          `SELECT ${q.id}::text AS id, ${q.column} AS value FROM ${q.table}
           WHERE ${q.column} IS NOT NULL AND left(${q.column}, $1) <> $2
           ORDER BY ${q.id} LIMIT $3 FOR UPDATE SKIP LOCKED`,
          [current.length, current, batchSize],
        );
        picked = rows.length;
        if (picked > 0) {
          const ids: string[] = [];
          const values: string[] = [];
          for (const row of rows) {
            ids.push(row.id);
            values.push(
              keyring.reseal(row.value, { table: column.table, column: column.column, rowId: row.id }),
            );
          }
          await client.query(
            `UPDATE ${q.table} AS t SET ${q.column} = u.value
             FROM unnest($1::text[], $2::text[]) AS u(id, value) WHERE t.${q.id}::text = u.id`,
            [ids, values],
          );
        }
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
      if (picked === 0) break;
      batches++;
      resealed += picked;
      const remaining = await countNotCurrent(pool, column, current);
      options.onProgress?.({ table: column.table, column: column.column, resealed, remaining });
    }
    report.push({
      table: column.table,
      column: column.column,
      resealed,
      remaining: await countNotCurrent(pool, column, current),
    });
  }
  return report;
}

async function countNotCurrent(pool: pg.Pool, column: SealedColumn, current: string): Promise<number> {
  const q = quoted(column);
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${q.table} WHERE ${q.column} IS NOT NULL AND left(${q.column}, $1) <> $2`,
    [current.length, current],
  );
  return rows[0]?.n ?? 0;
}

export interface KeyUsage {
  table: string;
  column: string;
  /** Count of values per key id; "plaintext" counts unsealed legacy values. Never the values. */
  byKeyId: Record<string, number>;
}

/** How many values each key seals, per column: tells when an old key can be removed. */
export async function sealedKeyUsage(
  pool: pg.Pool,
  columns: readonly SealedColumn[] = SEALED_COLUMNS,
): Promise<KeyUsage[]> {
  const usage: KeyUsage[] = [];
  for (const column of columns) {
    const q = quoted(column);
    const { rows } = await pool.query<{ key_id: string; n: number }>(
      `SELECT CASE WHEN left(${q.column}, $1) = $2 THEN split_part(${q.column}, ':', 3) ELSE 'plaintext' END AS key_id,
         count(*)::int AS n
       FROM ${q.table} WHERE ${q.column} IS NOT NULL GROUP BY 1 ORDER BY 1`,
      [ENVELOPE_PREFIX.length, ENVELOPE_PREFIX],
    );
    usage.push({
      table: column.table,
      column: column.column,
      byKeyId: Object.fromEntries(rows.map((r) => [r.key_id, r.n])),
    });
  }
  return usage;
}
