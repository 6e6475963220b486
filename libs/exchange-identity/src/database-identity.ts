// The database's side of the identity: the one row of `exchange_identity` (migration 10), and
// what else the database holds that only a log could have caused.
import type { Queryable } from '@app/database';
import type { DatabaseIdentity } from './decide-identity';
import { ExchangeIdentityError } from './exchange-identity-error';

interface IdentityRow {
  exchange_id: string;
  bound_at: Date | null;
  log_topic: string | null;
}

/** The identity row, or null when the database has none yet. */
export async function readDatabaseIdentity(db: Queryable): Promise<DatabaseIdentity | null> {
  const [{ present }] = (await db.query(
    `SELECT to_regclass('exchange_identity') IS NOT NULL AS present`,
  )) as { present: boolean }[];
  if (!present) {
    throw new ExchangeIdentityError(
      'SCHEMA_MISSING',
      'the database has no exchange_identity table: run the migrations (npm run migrate) first',
    );
  }
  const rows = (await db.query(
    `SELECT exchange_id::text AS exchange_id, bound_at, log_topic FROM exchange_identity`,
  )) as IdentityRow[];
  return rows.length === 0 ? null : toIdentity(rows[0]);
}

/**
 * The database's identity, created with a random UUID if it has none. Concurrent callers agree:
 * the table's one-row key makes every insert after the first do nothing, and each reads back
 * the row that won.
 */
export async function ensureDatabaseIdentity(db: Queryable): Promise<DatabaseIdentity> {
  await db.query(
    `INSERT INTO exchange_identity (exchange_id) VALUES (gen_random_uuid()) ON CONFLICT DO NOTHING`,
  );
  const identity = await readDatabaseIdentity(db);
  if (identity === null)
    throw new ExchangeIdentityError('BINDING_LOST', 'the exchange_identity row vanished');
  return identity;
}

/**
 * Records that `exchangeId` is the first identity of the log topic `metaTopic`. Idempotent: a
 * row already bound (by a concurrent boot) is left as it is. Throws if the row does not hold
 * `exchangeId` afterwards, which only an edit by hand can cause.
 */
export async function markDatabaseBound(
  db: Queryable,
  exchangeId: string,
  metaTopic: string,
): Promise<DatabaseIdentity> {
  await db.query(
    `UPDATE exchange_identity SET bound_at = now(), log_topic = $2
      WHERE exchange_id = $1 AND bound_at IS NULL`,
    [exchangeId, metaTopic],
  );
  const identity = await readDatabaseIdentity(db);
  if (identity === null || identity.exchangeId !== exchangeId || identity.boundAt === null) {
    throw new ExchangeIdentityError(
      'BINDING_LOST',
      `binding exchange ${exchangeId}: the exchange_identity row now holds ${JSON.stringify(identity)}`,
    );
  }
  return identity;
}

/**
 * What the database holds that only a log could have caused: orders (each was sent as a command)
 * and settled results (a checkpoint past -1). Deposits, users and markets are not evidence: the
 * demo seed writes them into a database no log has seen.
 */
export async function readDatabaseHistory(db: Queryable): Promise<string[]> {
  const [row] = (await db.query(
    `SELECT EXISTS (SELECT 1 FROM orders) AS orders,
            EXISTS (SELECT 1 FROM settlement_checkpoints WHERE last_offset >= 0) AS settlement`,
  )) as { orders: boolean; settlement: boolean }[];
  const history: string[] = [];
  if (row.orders) history.push('orders');
  if (row.settlement) history.push('settled results');
  return history;
}

/** Settlement's checkpoints of the physical results topic `topic` that applied anything. */
export async function readSettlementCheckpoints(
  db: Queryable,
  topic: string,
): Promise<{ partition: number; lastOffset: bigint }[]> {
  const rows = (await db.query(
    `SELECT partition, last_offset::text AS last_offset FROM settlement_checkpoints
      WHERE topic = $1 AND last_offset >= 0`,
    [topic],
  )) as { partition: number; last_offset: string }[];
  return rows.map((row) => ({ partition: row.partition, lastOffset: BigInt(row.last_offset) }));
}

/** The name of the database, written into the log's identity record for operators. */
export async function currentDatabaseName(db: Queryable): Promise<string> {
  const [{ name }] = (await db.query(`SELECT current_database() AS name`)) as { name: string }[];
  return name;
}

function toIdentity(row: IdentityRow): DatabaseIdentity {
  return {
    exchangeId: row.exchange_id,
    boundAt: row.bound_at === null ? null : new Date(row.bound_at),
    logTopic: row.log_topic,
  };
}
