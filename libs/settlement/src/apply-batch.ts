// The SQL half of TX2: applies engine results of one partition in one transaction, exactly once.
//
// Lock order, the same in every settlement transaction: the partition's checkpoint row, the
// shards' fencing rows (ascending shard; shared unless the token moves), the orders (ascending
// id), then the balances (ascending user_id, asset). Two consumers of different partitions only
// share fencing rows (shared locks do not conflict) and balances (always taken in one canonical
// order), so they can wait for each other but never deadlock.
import type { DataSource, QueryRunner } from 'typeorm';
import { assert, type EngineResult } from '@app/domain';
import {
  encodeUserUpdate,
  USER_UPDATE_ORDERS_MAX,
  type EngineResultEnvelope,
  type UserBalanceUpdate,
  type UserOrderUpdate,
  type UserUpdate,
} from '@app/messaging';
import { writeOutbox, type OutboxMessage } from '@app/outbox';
import { planBatch, type LedgerEntry, type SettlementPlan } from './plan-batch';
import { SETTLEMENT_TX_ATTEMPTS_MAX } from './settlement.constants';
import { SettlementError } from './settlement-error';
import { sqlArray } from './sql-array';
import type { SettlementMetrics } from './settlement.metrics';

/** One record of the results topic, decoded. */
export interface ConsumedResult {
  /** The record's offset, a decimal string. */
  readonly offset: string;
  readonly envelope: EngineResultEnvelope;
}

export interface SettleBatchInput {
  /** Physical name of the results topic. */
  readonly topic: string;
  readonly partition: number;
  /** Records of this partition in offset order. */
  readonly records: readonly ConsumedResult[];
  /**
   * The last offset this batch covers, >= the last record's offset: a batch may end with
   * transaction markers, which occupy offsets but carry no record.
   */
  readonly lastOffset: string;
}

export interface SettleBatchOptions {
  /** The SYSTEM user owning the FEES account (`loadFeesUserId`). */
  readonly feesUserId: string;
  /** Physical name of `exchange.user-updates`; private updates go to the outbox for it. */
  readonly userUpdatesTopic: string;
  /**
   * TEST ONLY. `canonical` (the default and the only production value) locks balance rows in
   * (user_id, asset) order; `unordered` updates them one by one in first-touch order, which is
   * the control run showing what the canonical order prevents.
   */
  readonly balanceLockOrder?: 'canonical' | 'unordered';
  /**
   * TEST ONLY, honoured only with `balanceLockOrder: 'unordered'`: awaited once the missing
   * balance rows exist (nothing locked yet) and after each balance row is locked, so the control
   * run can hold two transactions at barriers and make their interleaving (and hence the
   * deadlock) deterministic instead of a matter of timing.
   */
  readonly balanceLockProbe?: (step: BalanceLockStep) => Promise<void>;
  readonly metrics?: SettlementMetrics;
}

/** A point in the unordered (control) balance locking, see `balanceLockProbe`. */
export type BalanceLockStep =
  | { readonly step: 'rows-ensured' }
  | { readonly step: 'locked'; readonly userId: string; readonly asset: string };

export interface SettleBatchOutcome {
  /** Results applied (DUPLICATE results count: they are applied as "nothing"). */
  readonly applied: number;
  /** Records at or below the checkpoint, ignored. */
  readonly skipped: number;
  /** Records rejected for a stale fencing token. */
  readonly stale: number;
  readonly trades: number;
  /** The checkpoint's last offset after the batch. */
  readonly lastOffset: string;
}

const DEADLOCK = '40P01';
const SERIALIZATION_FAILURE = '40001';

/** The id of the SYSTEM user `fees`; throws FEES_USER_MISSING when there is none. */
export async function loadFeesUserId(dataSource: DataSource): Promise<string> {
  const rows: { id: string }[] = await dataSource.query(
    `SELECT id::text AS id FROM users WHERE name = 'fees' AND kind = 'SYSTEM'`,
  );
  if (rows.length !== 1) {
    throw new SettlementError('FEES_USER_MISSING', 'the SYSTEM user "fees" does not exist');
  }
  return rows[0].id;
}

/**
 * Applies `input` in one transaction: records at or below the partition's checkpoint are
 * skipped, records with a fencing token below the highest seen for their shard are rejected
 * (counted, nothing changed), the rest are applied, and the checkpoint moves to
 * `input.lastOffset`. A deadlock or serialization failure is retried (and counted); other
 * errors roll back and propagate.
 */
export async function settleBatch(
  dataSource: DataSource,
  input: SettleBatchInput,
  options: SettleBatchOptions,
): Promise<SettleBatchOutcome> {
  let exclusiveFencing = false;
  for (let attempt = 1; ; attempt++) {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const outcome = await settleInTransaction(runner, input, options, exclusiveFencing);
      await runner.commitTransaction();
      return outcome;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      const code =
        (error as { code?: string; driverError?: { code?: string } }).driverError?.code ??
        (error as { code?: string }).code;
      if (code === DEADLOCK) options.metrics?.deadlocks.inc();
      const transient =
        code === DEADLOCK || code === SERIALIZATION_FAILURE || code === 'FENCING_UPGRADE';
      if (code === 'FENCING_UPGRADE') exclusiveFencing = true;
      if (!transient || attempt >= SETTLEMENT_TX_ATTEMPTS_MAX) throw error;
    } finally {
      await runner.release();
    }
  }
}

async function query<T>(runner: QueryRunner, sql: string, params: unknown[] = []): Promise<T[]> {
  const result = (await runner.query(sql, params, true)) as { records: T[] };
  return result.records;
}

/** Runs a statement that returns no rows; resolves to the number of rows it affected. */
async function execute(runner: QueryRunner, sql: string, params: unknown[]): Promise<number> {
  const result = (await runner.query(sql, params, true)) as { affected?: number };
  return result.affected ?? 0;
}

/** Throws when a set-based statement wrote another number of rows than it was given. */
function assertRowsWritten(table: string, written: number, expected: number): void {
  if (written !== expected) {
    throw new SettlementError(
      'ROWS_MISMATCH',
      `${table}: the statement wrote ${written} rows for ${expected} planned`,
    );
  }
}

async function settleInTransaction(
  runner: QueryRunner,
  input: SettleBatchInput,
  options: SettleBatchOptions,
  exclusiveFencing: boolean,
): Promise<SettleBatchOutcome> {
  const { topic, partition } = input;
  await query(
    runner,
    `INSERT INTO settlement_checkpoints (topic, partition) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
    [topic, partition],
  );
  const [checkpoint] = await query<{ last_offset: string }>(
    runner,
    `SELECT last_offset::text FROM settlement_checkpoints
      WHERE topic = $1 AND partition = $2 FOR UPDATE`,
    [topic, partition],
  );
  const lastApplied = BigInt(checkpoint.last_offset);
  const fresh = input.records.filter((record) => BigInt(record.offset) > lastApplied);
  const skipped = input.records.length - fresh.length;

  const { accepted, stale, maxToken } = await checkFencing(runner, fresh, exclusiveFencing);
  const results = accepted.map((record) => record.envelope.result);
  const plan = planBatch(results, options.feesUserId);
  const orderUpdates = await applyOrders(runner, plan);
  await insertTrades(runner, plan);
  await insertLedger(runner, plan);
  const balanceUpdates = await applyBalances(
    runner,
    plan,
    options.balanceLockOrder ?? 'canonical',
    options.balanceLockProbe,
  );
  await writeUserUpdates(runner, options.userUpdatesTopic, orderUpdates, balanceUpdates);

  const newLast = BigInt(input.lastOffset) > lastApplied ? BigInt(input.lastOffset) : lastApplied;
  const lastEventSeq = lastSeq(results);
  await query(
    runner,
    `UPDATE settlement_checkpoints
        SET last_offset = $3, last_event_seq = coalesce($4, last_event_seq),
            max_fencing_token = greatest(max_fencing_token, $5), updated_at = now()
      WHERE topic = $1 AND partition = $2`,
    [topic, partition, newLast.toString(), lastEventSeq, maxToken.toString()],
  );
  return {
    applied: accepted.length,
    skipped,
    stale,
    trades: plan.trades.length,
    lastOffset: newLast.toString(),
  };
}

function lastSeq(results: readonly EngineResult[]): number | null {
  for (let i = results.length - 1; i >= 0; i--)
    if (results[i].eventSeq > 0) return results[i].eventSeq;
  return null;
}

/**
 * Splits fresh records into accepted and stale by the per-shard maximum fencing token. The
 * shard rows are locked FOR SHARE when the batch neither raises a maximum nor rejects anything
 * (the common case, so partitions of one shard settle in parallel) and FOR UPDATE otherwise;
 * if the row changed between the unlocked read and the lock, FENCING_UPGRADE retries the
 * transaction with FOR UPDATE, so a lock is never upgraded in place (which could deadlock).
 */
async function checkFencing(
  runner: QueryRunner,
  records: readonly ConsumedResult[],
  exclusive: boolean,
): Promise<{ accepted: ConsumedResult[]; stale: number; maxToken: bigint }> {
  if (records.length === 0) return { accepted: [], stale: 0, maxToken: 0n };
  const shards = [...new Set(records.map((r) => r.envelope.shard))].sort((a, b) => a - b);
  await query(
    runner,
    `INSERT INTO settlement_shard_fencing (shard)
     SELECT s FROM unnest($1::int[]) AS s ORDER BY s ON CONFLICT DO NOTHING`,
    [shards],
  );
  const read = async (lock: string) =>
    new Map(
      (
        await query<{ shard: number; token: string }>(
          runner,
          `SELECT shard, max_fencing_token::text AS token FROM settlement_shard_fencing
            WHERE shard = ANY($1::int[]) ORDER BY shard ${lock}`,
          [shards],
        )
      ).map((row) => [row.shard, BigInt(row.token)]),
    );
  const needsExclusive = (stored: Map<number, bigint>) =>
    records.some((r) => BigInt(r.envelope.fencingToken) !== stored.get(r.envelope.shard));
  const mode = exclusive || needsExclusive(await read('')) ? 'FOR UPDATE' : 'FOR SHARE';
  const stored = await read(mode);
  if (mode === 'FOR SHARE' && needsExclusive(stored)) {
    throw new SettlementError('FENCING_UPGRADE', 'fencing row changed; retry with FOR UPDATE');
  }
  const highest = new Map(stored);
  const staleByShard = new Map<number, number>();
  const accepted: ConsumedResult[] = [];
  let maxToken = 0n;
  for (const record of records) {
    const { shard } = record.envelope;
    const token = BigInt(record.envelope.fencingToken);
    if (token < (highest.get(shard) ?? 0n)) {
      staleByShard.set(shard, (staleByShard.get(shard) ?? 0) + 1);
      continue;
    }
    highest.set(shard, token);
    if (token > maxToken) maxToken = token;
    accepted.push(record);
  }
  if (mode === 'FOR UPDATE') {
    await query(
      runner,
      `UPDATE settlement_shard_fencing f
          SET max_fencing_token = greatest(f.max_fencing_token, u.token),
              stale_rejected_total = f.stale_rejected_total + u.stale, updated_at = now()
         FROM unnest($1::int[], $2::bigint[], $3::bigint[]) AS u(shard, token, stale)
        WHERE f.shard = u.shard`,
      [
        shards,
        shards.map((s) => (highest.get(s) ?? 0n).toString()),
        shards.map((s) => staleByShard.get(s) ?? 0),
      ],
    );
  }
  const stale = [...staleByShard.values()].reduce((a, b) => a + b, 0);
  return { accepted, stale, maxToken };
}

interface OrderRowOut {
  id: string;
  prev_locked: string;
  client_order_id: string | null;
}

/**
 * Writes each order's last state and checks its lock arithmetic: lock before the batch - spent
 * in its trades - released = the lock the engine says remains. An order the database does not
 * have, or a mismatch, throws (the batch rolls back).
 */
async function applyOrders(runner: QueryRunner, plan: SettlementPlan): Promise<UserOrderUpdate[]> {
  const changes = [...plan.orders.values()];
  if (changes.length === 0) return [];
  const rows = await query<OrderRowOut>(
    runner,
    `WITH u AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::numeric[], $5::numeric[],
                            $6::bigint[], $7::text[], $8::text[], $9::numeric[])
         AS u(id, status, filled_lots, filled_quote, locked_amount, book_seq, reject_code,
              expiry_reason, fee)
     ), prev AS (
       SELECT o.id, o.locked_amount FROM orders o JOIN u ON u.id = o.id
        ORDER BY o.id FOR UPDATE OF o
     )
     UPDATE orders o
        SET status = u.status, filled_lots = u.filled_lots, filled_quote = u.filled_quote,
            locked_amount = u.locked_amount, book_seq = coalesce(u.book_seq, o.book_seq),
            reject_code = coalesce(u.reject_code, o.reject_code),
            expiry_reason = coalesce(u.expiry_reason, o.expiry_reason),
            fee_paid = o.fee_paid + u.fee, updated_at = now()
       FROM u JOIN prev p ON p.id = u.id
      WHERE o.id = u.id
     RETURNING o.id::text AS id, p.locked_amount::text AS prev_locked, o.client_order_id`,
    [
      sqlArray(changes.map((c) => c.orderId)),
      sqlArray(changes.map((c) => c.status)),
      sqlArray(changes.map((c) => c.filledLots)),
      sqlArray(changes.map((c) => c.filledQuoteMinor)),
      sqlArray(changes.map((c) => c.lockRemainingMinor)),
      sqlArray(changes.map((c) => c.bookSeq)),
      sqlArray(changes.map((c) => c.rejectCode)),
      sqlArray(changes.map((c) => c.expiryReason)),
      sqlArray(changes.map((c) => c.feeMinor)),
    ],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  const unknown = changes.filter((c) => !byId.has(c.orderId)).map((c) => c.orderId);
  if (unknown.length > 0) {
    throw new SettlementError(
      'UNKNOWN_ORDER',
      `engine results name ${unknown.length} order(s) the database does not have: ${unknown.slice(0, 5).join(', ')}`,
    );
  }
  return changes.map((change) => {
    const row = byId.get(change.orderId) as OrderRowOut;
    const expected = BigInt(row.prev_locked) - change.spentMinor - change.releasedMinor;
    if (expected !== change.lockRemainingMinor) {
      throw new SettlementError(
        'LOCK_MISMATCH',
        `order ${change.orderId}: lock ${row.prev_locked} - spent ${change.spentMinor} - released ` +
          `${change.releasedMinor} = ${expected}, but the engine says ${change.lockRemainingMinor} remains`,
      );
    }
    return {
      userId: change.userId,
      orderId: change.orderId,
      clientOrderId: row.client_order_id,
      symbol: change.symbol,
      status: change.status,
      filledLots: change.filledLots,
      filledQuoteMinor: change.filledQuoteMinor.toString(),
      lockedMinor: change.lockRemainingMinor.toString(),
      eventSeq: change.eventSeq,
      timestampMs: change.timestampMs,
    } as UserOrderUpdate & { userId: string };
  });
}

async function insertTrades(runner: QueryRunner, plan: SettlementPlan): Promise<void> {
  if (plan.trades.length === 0) return;
  const t = plan.trades;
  const written = await execute(
    runner,
    `INSERT INTO trades (symbol, trade_seq, price_ticks, qty_lots, quote_amount, maker_order_id,
                         taker_order_id, maker_user_id, taker_user_id, taker_side, maker_fee,
                         taker_fee, maker_fee_asset, taker_fee_asset, executed_at)
     SELECT symbol, trade_seq, price_ticks, qty_lots, quote_amount, maker_order_id, taker_order_id,
            maker_user_id, taker_user_id, taker_side, maker_fee, taker_fee, maker_fee_asset,
            taker_fee_asset, to_timestamp(executed_ms / 1000.0)
       FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::numeric[], $6::uuid[],
                   $7::uuid[], $8::uuid[], $9::uuid[], $10::text[], $11::numeric[], $12::numeric[],
                   $13::text[], $14::text[], $15::bigint[])
         AS t(symbol, trade_seq, price_ticks, qty_lots, quote_amount, maker_order_id,
              taker_order_id, maker_user_id, taker_user_id, taker_side, maker_fee, taker_fee,
              maker_fee_asset, taker_fee_asset, executed_ms)`,
    [
      sqlArray(t.map((r) => r.symbol)),
      sqlArray(t.map((r) => r.trade.tradeSeq)),
      sqlArray(t.map((r) => r.trade.priceTicks)),
      sqlArray(t.map((r) => r.trade.qtyLots)),
      sqlArray(t.map((r) => r.trade.quoteMinor)),
      sqlArray(t.map((r) => r.trade.makerOrderId)),
      sqlArray(t.map((r) => r.trade.takerOrderId)),
      sqlArray(t.map((r) => r.trade.makerUserId)),
      sqlArray(t.map((r) => r.trade.takerUserId)),
      sqlArray(t.map((r) => r.trade.takerSide)),
      sqlArray(t.map((r) => r.trade.makerFeeMinor)),
      sqlArray(t.map((r) => r.trade.takerFeeMinor)),
      sqlArray(t.map((r) => r.trade.makerFeeAsset)),
      sqlArray(t.map((r) => r.trade.takerFeeAsset)),
      sqlArray(t.map((r) => r.executedAtMs)),
    ],
  );
  assertRowsWritten('trades', written, t.length);
}

/**
 * Writes the plan's ledger entries in one statement. A batch's entries share one journal and
 * repeat a few hundred (user, account, asset, reason, ref type) combinations and one reference
 * per trade or order, so they travel as those two small tables plus, per entry, an index into
 * each and the amount: a quarter of the bytes, and of the parsing on both ends, of one array per
 * column. The entries, their order and their values are exactly the plan's.
 */
async function insertLedger(runner: QueryRunner, plan: SettlementPlan): Promise<void> {
  const e = plan.ledger;
  if (e.length === 0) return;
  const journalId = e[0].journalId;
  // (user, account, asset, reason, ref type) -> 1-based index into accountRows. Nested maps
  // rather than a joined string key: no string is built per entry.
  const accounts = new Map<string, Map<string, number>>();
  const accountRows: LedgerEntry[] = [];
  const refs = new Map<string, number>();
  const accountIndex = new Array<number>(e.length);
  const refIndex = new Array<number>(e.length);
  for (let i = 0; i < e.length; i++) {
    const entry = e[i];
    assert(entry.journalId === journalId, 'a settlement plan writes exactly one journal');
    let ofUser = accounts.get(entry.userId);
    if (ofUser === undefined) accounts.set(entry.userId, (ofUser = new Map()));
    // account, reason and refType are a handful of fixed words; asset codes are [A-Z0-9].
    const kind = `${entry.account}/${entry.asset}/${entry.reason}/${entry.refType}`;
    let account = ofUser.get(kind);
    if (account === undefined) {
      accountRows.push(entry);
      ofUser.set(kind, (account = accountRows.length));
    }
    let ref = refs.get(entry.refId);
    if (ref === undefined) refs.set(entry.refId, (ref = refs.size + 1));
    accountIndex[i] = account;
    refIndex[i] = ref;
  }
  const written = await execute(
    runner,
    `WITH a AS (
       SELECT * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[])
         WITH ORDINALITY AS a(user_id, account, asset, reason, ref_type, i)
     ), r AS (
       SELECT * FROM unnest($7::text[]) WITH ORDINALITY AS r(ref_id, i)
     )
     INSERT INTO ledger_entries (journal_id, user_id, account, asset, amount, reason, ref_type, ref_id)
     SELECT $1::uuid, a.user_id, a.account, a.asset, e.amount, a.reason, a.ref_type, r.ref_id
       FROM unnest($8::int[], $9::int[], $10::numeric[]) WITH ORDINALITY AS e(a, r, amount, n)
       JOIN a ON a.i = e.a
       JOIN r ON r.i = e.r
      ORDER BY e.n`,
    [
      journalId,
      sqlArray(accountRows.map((x) => x.userId)),
      sqlArray(accountRows.map((x) => x.account)),
      sqlArray(accountRows.map((x) => x.asset)),
      sqlArray(accountRows.map((x) => x.reason)),
      sqlArray(accountRows.map((x) => x.refType)),
      sqlArray([...refs.keys()]),
      sqlArray(accountIndex),
      sqlArray(refIndex),
      sqlArray(e.map((x) => x.amountMinor)),
    ],
  );
  assertRowsWritten('ledger_entries', written, e.length);
}

interface BalanceRowOut {
  user_id: string;
  asset: string;
  available: string;
  locked: string;
}

async function applyBalances(
  runner: QueryRunner,
  plan: SettlementPlan,
  lockOrder: 'canonical' | 'unordered',
  probe: SettleBatchOptions['balanceLockProbe'],
): Promise<BalanceRowOut[]> {
  const deltas = [...plan.balances.values()].filter(
    (d) => d.availableMinor !== 0n || d.lockedMinor !== 0n,
  );
  if (deltas.length === 0) return [];
  const users = sqlArray(deltas.map((d) => d.userId));
  const assets = sqlArray(deltas.map((d) => d.asset));
  // A buyer may receive an asset for the first time. Rows are created in the canonical order
  // too: inserting a key another transaction is inserting waits for it like a row lock.
  await query(
    runner,
    `INSERT INTO balances (user_id, asset)
     SELECT u, a FROM unnest($1::uuid[], $2::text[]) AS t(u, a)
      ${lockOrder === 'canonical' ? 'ORDER BY u, a' : ''}
     ON CONFLICT DO NOTHING`,
    [users, assets],
  );
  if (lockOrder === 'unordered') {
    await probe?.({ step: 'rows-ensured' });
    const rows: BalanceRowOut[] = [];
    for (const d of deltas) {
      rows.push(
        ...(await query<BalanceRowOut>(
          runner,
          `UPDATE balances SET available = available + $3, locked = locked + $4, updated_at = now()
            WHERE user_id = $1 AND asset = $2
           RETURNING user_id::text, asset, available::text, locked::text`,
          [d.userId, d.asset, d.availableMinor.toString(), d.lockedMinor.toString()],
        )),
      );
      await probe?.({ step: 'locked', userId: d.userId, asset: d.asset });
    }
    return rows;
  }
  return query<BalanceRowOut>(
    runner,
    `WITH d AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::numeric[], $4::numeric[]) AS d(u, a, da, dl)
     ), locked AS (
       SELECT b.user_id, b.asset FROM balances b JOIN d ON b.user_id = d.u AND b.asset = d.a
        ORDER BY b.user_id, b.asset FOR UPDATE OF b
     )
     UPDATE balances b
        SET available = b.available + d.da, locked = b.locked + d.dl, updated_at = now()
       FROM d JOIN locked l ON l.user_id = d.u AND l.asset = d.a
      WHERE b.user_id = d.u AND b.asset = d.a
     RETURNING b.user_id::text, b.asset, b.available::text, b.locked::text`,
    [
      users,
      assets,
      sqlArray(deltas.map((d) => d.availableMinor)),
      sqlArray(deltas.map((d) => d.lockedMinor)),
    ],
  );
}

/**
 * One `exchange.user-updates` record per affected user, in the same transaction; a user with
 * more than USER_UPDATE_ORDERS_MAX changed orders gets several, each with at most that many
 * orders (and the balances on the last), so no record outgrows what the broker accepts.
 */
async function writeUserUpdates(
  runner: QueryRunner,
  topic: string,
  orders: readonly UserOrderUpdate[],
  balances: readonly BalanceRowOut[],
): Promise<void> {
  const byUser = new Map<string, { orders: UserOrderUpdate[]; balances: UserBalanceUpdate[] }>();
  const of = (userId: string) => {
    let entry = byUser.get(userId);
    if (entry === undefined) byUser.set(userId, (entry = { orders: [], balances: [] }));
    return entry;
  };
  for (const order of orders) {
    const { userId, ...rest } = order as UserOrderUpdate & { userId: string };
    of(userId).orders.push(rest);
  }
  for (const row of balances) {
    of(row.user_id).balances.push({
      asset: row.asset,
      availableMinor: row.available,
      lockedMinor: row.locked,
    });
  }
  if (byUser.size === 0) return;
  const messages: OutboxMessage[] = [];
  for (const [userId, update] of byUser) {
    for (let from = 0; ; from += USER_UPDATE_ORDERS_MAX) {
      const last = from + USER_UPDATE_ORDERS_MAX >= update.orders.length;
      const payload: UserUpdate = {
        type: 'settlement',
        userId,
        orders: update.orders.slice(from, from + USER_UPDATE_ORDERS_MAX),
        balances: last ? update.balances : [],
      };
      messages.push({ topic, key: userId, payload: encodeUserUpdate(payload) });
      if (last) break;
    }
  }
  await writeOutbox(runner, messages);
}
