// Shared fixture of the settlement tests: a seeded test database, TX1's own SQL path to place
// and cancel orders, an in-process MatchingEngine, and settlement applied directly or through
// Kafka. Not a test file.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  decodeCommand,
  lockForOrder,
  MatchingEngine,
  type EngineCommand,
  type EngineResult,
  type Market,
  type PlaceOrderCommand,
} from '@app/domain';
import { loadMarkets, recordDeposit } from '@app/database';
import {
  encodePackedResult,
  packEngineResults,
  TOPICS,
  type EngineResultEnvelope,
} from '@app/messaging';
import {
  loadFeesUserId,
  settleBatch,
  type ConsumedResult,
  type SettleBatchOutcome,
} from '@app/settlement';
import {
  OUTBOX_ENTRY_COLUMNS,
  createTestDatabase,
  outboxEntries,
  type TestDatabase,
} from '@app/testing';
import { crossBook, type CrossBook } from './cross-trades';
import { insertOrders, type NewOrder } from '@app/order-entry';

export { expectAuditClean } from '@app/testing';

export const ORDERS_TOPIC = 'settlement-test.orders';
export const USER_UPDATES_TOPIC = 'settlement-test.user-updates';

export interface SettlementFixture {
  readonly database: TestDatabase;
  readonly dataSource: DataSource;
  readonly markets: Map<string, Market>;
  readonly engine: MatchingEngine;
  readonly feesUserId: string;
  /** Fencing token stamped on envelopes; tests may change it. */
  token: bigint;
  shard: number;
  now: number;
}

export async function createSettlementFixture(
  label: string,
  poolSizeMax = 5,
): Promise<SettlementFixture> {
  const database = await createTestDatabase(label, { seed: true, poolSizeMax });
  const markets = await loadMarkets(database.dataSource);
  return {
    database,
    dataSource: database.dataSource,
    markets,
    engine: new MatchingEngine({ markets: [...markets.values()] }),
    feesUserId: await loadFeesUserId(database.dataSource),
    token: 1n,
    shard: 0,
    now: 1_800_000_000_000,
  };
}

/** A new trader funded with `deposits` (asset -> minor units). */
export async function createTrader(
  f: SettlementFixture,
  deposits: Record<string, bigint>,
  name = `trader-${randomUUID().slice(0, 8)}`,
): Promise<string> {
  const [row] = (await f.dataSource.query(
    `INSERT INTO users (name, kind) VALUES ($1, 'TRADER') RETURNING id::text AS id`,
    [name],
  )) as { id: string }[];
  for (const [asset, amount] of Object.entries(deposits)) {
    await recordDeposit(f.dataSource.manager, { userId: row.id, asset, amount });
  }
  return row.id;
}

export type PlaceInput = Omit<PlaceOrderCommand, 'type' | 'commandId' | 'timestampMs' | 'orderId'>;

/** Places orders of one user through TX1's SQL (lock, order rows, LOCK journals, outbox). */
export async function placeOrders(
  f: SettlementFixture,
  inputs: readonly PlaceInput[],
): Promise<PlaceOrderCommand[] | undefined> {
  const commands: PlaceOrderCommand[] = inputs.map((input) => ({
    ...input,
    type: 'place',
    commandId: randomUUID(),
    orderId: randomUUID(),
    timestampMs: f.now++,
  }));
  const orders: NewOrder[] = commands.map((command) => {
    const market = f.markets.get(command.symbol) as Market;
    const lock = lockForOrder(market, command);
    const stop = command.stopPriceTicks !== undefined;
    return {
      command,
      apiType:
        command.orderType === 'LIMIT'
          ? stop
            ? 'STOP_LIMIT'
            : 'LIMIT'
          : stop
            ? 'STOP_MARKET'
            : 'MARKET',
      lockAsset: lock.asset,
      lockMinor: lock.amountMinor,
    };
  });
  const runner = f.dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    const { placed } = await insertOrders(runner, inputs[0].userId, orders, ORDERS_TOPIC, true);
    if (!placed) {
      await runner.rollbackTransaction();
      return undefined;
    }
    await runner.commitTransaction();
    return commands;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}

/** Places one order; throws if the funds do not cover it. */
export async function place(f: SettlementFixture, input: PlaceInput): Promise<PlaceOrderCommand> {
  const commands = await placeOrders(f, [input]);
  if (commands === undefined) throw new Error('insufficient funds in test setup');
  return commands[0];
}

/**
 * A resting LIMIT buy of `buyer` and sell of `seller` of `lots` at `priceTicks` on `symbol`,
 * placed through TX1, as a CrossBook that yields one small fill per result.
 */
export async function placeCross(
  f: SettlementFixture,
  symbol: string,
  buyer: string,
  seller: string,
  priceTicks: number,
  lots: number,
): Promise<CrossBook> {
  const order = (userId: string, side: 'BUY' | 'SELL') =>
    place(f, { userId, symbol, side, orderType: 'LIMIT', priceTicks, qtyLots: lots });
  return crossBook(
    f.markets.get(symbol) as Market,
    await order(buyer, 'BUY'),
    await order(seller, 'SELL'),
  );
}

/** The cancel TX1 writes: mark the order and return the command for the engine. */
export async function cancel(
  f: SettlementFixture,
  userId: string,
  orderId: string,
  symbol: string,
): Promise<EngineCommand> {
  await f.dataSource.query(`UPDATE orders SET cancel_requested = true WHERE id = $1`, [orderId]);
  return { type: 'cancel', commandId: randomUUID(), timestampMs: f.now++, userId, symbol, orderId };
}

/** Every command TX1 queued, decoded from the outbox rows, in id order; deletes them. */
export async function drainOutboxCommands(f: SettlementFixture): Promise<EngineCommand[]> {
  const rows = (await f.dataSource.query(
    `DELETE FROM outbox WHERE topic = $1 RETURNING ${OUTBOX_ENTRY_COLUMNS}`,
    [ORDERS_TOPIC],
  )) as unknown[];
  // A multi-message row (one per batch of orders) holds several commands, in order.
  const list = (Array.isArray(rows[0]) ? rows[0] : rows) as Parameters<typeof outboxEntries>[0];
  return outboxEntries(list).map((entry) =>
    decodeCommand(JSON.parse(entry.value.toString('utf8'))),
  );
}

export function envelope(f: SettlementFixture, result: EngineResult): EngineResultEnvelope {
  return { shard: f.shard, fencingToken: f.token.toString(), result };
}

const offsets = new Map<string, bigint>();

/** Settles results directly (no Kafka) as consecutive offsets of `partition`. */
export async function settleDirect(
  f: SettlementFixture,
  results: readonly EngineResult[],
  partition = 0,
  topic = 'direct.results',
): Promise<SettleBatchOutcome> {
  const key = `${f.database.name}/${topic}/${partition}`;
  let next = offsets.get(key) ?? 0n;
  const records: ConsumedResult[] = results.map((result) => ({
    offset: (next++).toString(),
    envelope: envelope(f, result),
  }));
  offsets.set(key, next);
  return settleBatch(
    f.dataSource,
    { topic, partition, records, lastOffset: (next - 1n).toString() },
    { feesUserId: f.feesUserId, userUpdatesTopic: USER_UPDATES_TOPIC },
  );
}

/** Runs the engine on commands and settles the results directly. */
export async function matchAndSettle(
  f: SettlementFixture,
  commands: readonly EngineCommand[],
): Promise<EngineResult[]> {
  const results = commands.map((command) => f.engine.apply(command));
  await settleDirect(f, results);
  return results;
}

/** Encoded record values of results, one record (a packed run of one) per result. */
export function encodeResults(f: SettlementFixture, results: readonly EngineResult[]): Buffer[] {
  return results.map((result) =>
    packEngineResults(f.shard, f.token.toString(), [encodePackedResult(result)]),
  );
}

export async function balanceOf(
  f: SettlementFixture,
  userId: string,
  asset: string,
): Promise<{ available: bigint; locked: bigint }> {
  const rows = (await f.dataSource.query(
    `SELECT available::text, locked::text FROM balances WHERE user_id = $1 AND asset = $2`,
    [userId, asset],
  )) as { available: string; locked: string }[];
  return rows.length === 0
    ? { available: 0n, locked: 0n }
    : { available: BigInt(rows[0].available), locked: BigInt(rows[0].locked) };
}

export async function orderRow(
  f: SettlementFixture,
  orderId: string,
): Promise<Record<string, string>> {
  const rows = (await f.dataSource.query(
    `SELECT status, filled_lots::text, filled_quote::text, locked_amount::text, fee_paid::text,
            reject_code, expiry_reason, book_seq::text
       FROM orders WHERE id = $1`,
    [orderId],
  )) as Record<string, string>[];
  return rows[0];
}

/** Sum of the FEES account per asset. */
export async function feesOf(f: SettlementFixture, asset: string): Promise<bigint> {
  const [row] = (await f.dataSource.query(
    `SELECT coalesce(sum(amount), 0)::text AS total FROM ledger_entries WHERE account = 'FEES' AND asset = $1`,
    [asset],
  )) as { total: string }[];
  return BigInt(row.total);
}

/** Row counts and totals that a replay must leave unchanged. */
export async function snapshotState(dataSource: DataSource): Promise<unknown> {
  const [row] = (await dataSource.query(
    `SELECT (SELECT count(*) FROM trades)::int AS trades,
            (SELECT count(*) FROM ledger_entries)::int AS ledger,
            (SELECT count(*) FROM outbox)::int AS outbox,
            (SELECT string_agg(user_id || asset || available || '/' || locked, ',' ORDER BY user_id, asset) FROM balances) AS balances,
            (SELECT string_agg(id || status || filled_lots || locked_amount, ',' ORDER BY id) FROM orders) AS orders`,
  )) as unknown[];
  return row;
}

export const RESULTS_LOGICAL = TOPICS.engineResults.logical;
