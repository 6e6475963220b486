import { randomUUID } from 'node:crypto';
import type { QueryRunner } from 'typeorm';
import { encodeCommand, type PlaceOrderCommand } from '@app/domain';
import { writeOutbox } from '@app/outbox';
import type { OrderRow } from './order-row';
import type { ApiOrderType } from './prepare-order';

/** An order TX1 writes: the engine command it becomes, its API type and its lock. */
export interface NewOrder {
  readonly command: PlaceOrderCommand;
  readonly apiType: ApiOrderType;
  readonly lockAsset: string;
  readonly lockMinor: bigint;
}

// One statement for any number of orders of one user: lock the per-asset totals with a
// conditional update that cannot go negative, and only if every asset's lock succeeded insert
// the orders (each with its initial lock and the journal that locked it) and the LOCK entries:
// one pair per asset (AVAILABLE -total, LOCKED +total), all under ONE journal ($18), the
// transaction's. A statement of one order names it (ref_type ORDER, ref_id the order id); a
// batch names the journal (ref_type ORDER_BATCH, ref_id = journal id), and the auditor checks
// that the pair equals the sum of the initial locks of the orders with that lock journal
// (migration 1790000000009). Two entries per asset, not two per order: for a batch of a
// thousand orders that is two rows instead of two thousand.
// Rows come from unnest arrays, so a batch of a thousand orders costs one round trip. It answers
// with the count and the one created_at of the rows (now(), the transaction's start time), not a
// row per order for the caller to parse.
const INSERT_ORDERS_SQL = `
  WITH locked AS (
    UPDATE balances b
       SET available = b.available - l.amount, locked = b.locked + l.amount, updated_at = now()
      FROM unnest($2::text[], $3::numeric[]) AS l(asset, amount)
     WHERE b.user_id = $1 AND b.asset = l.asset AND b.available >= l.amount
    RETURNING b.asset
  ), orders_in AS (
    SELECT * FROM unnest(
      $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[],
      $11::text[], $12::bigint[], $13::bigint[], $14::bigint[], $15::numeric[], $16::text[],
      $17::numeric[]
    ) AS o(id, client_order_id, symbol, side, type, time_in_force, post_only, stp, price_ticks,
           stop_price_ticks, qty_lots, quote_amount, lock_asset, locked_amount)
  ), placed AS (
    INSERT INTO orders (id, user_id, client_order_id, symbol, side, type, time_in_force, post_only,
                        stp, price_ticks, stop_price_ticks, qty_lots, quote_amount, lock_asset,
                        locked_amount, initial_lock, lock_journal_id)
    SELECT o.id, $1, o.client_order_id, o.symbol, o.side, o.type, o.time_in_force, o.post_only,
           o.stp, o.price_ticks, o.stop_price_ticks, o.qty_lots, o.quote_amount, o.lock_asset,
           o.locked_amount, o.locked_amount, $18::uuid
      FROM orders_in o
     WHERE (SELECT count(*) FROM locked) = cardinality($2::text[])
    RETURNING id, created_at
  ), journal AS (
    INSERT INTO ledger_entries (journal_id, user_id, account, asset, amount, reason, ref_type, ref_id)
    SELECT $18::uuid, $1, e.account, l.asset,
           CASE e.account WHEN 'AVAILABLE' THEN -l.amount ELSE l.amount END, 'LOCK',
           CASE p.n WHEN 1 THEN 'ORDER' ELSE 'ORDER_BATCH' END,
           CASE p.n WHEN 1 THEN p.first_id ELSE $18::text END
      FROM unnest($2::text[], $3::numeric[]) AS l(asset, amount)
     CROSS JOIN (VALUES ('AVAILABLE'), ('LOCKED')) AS e(account)
      JOIN (SELECT count(*) AS n, min(id::text) AS first_id FROM placed) p ON p.n > 0
  )
  SELECT count(*)::int AS placed, max(created_at) AS created_at FROM placed`;

/** The stored row's time in force: a limit order's (GTC by default), null for market types. */
function timeInForceColumn({ command }: NewOrder): string | null {
  return command.orderType === 'LIMIT' ? (command.timeInForce ?? 'GTC') : null;
}

/** The stored row's quote amount (a market buy by quote), as decimal text, or null. */
function quoteAmountColumn({ command }: NewOrder): string | null {
  return command.quoteAmountMinor?.toString() ?? null;
}

/** The row TX1 just inserted, built from what it wrote (saves reading it back). */
export function insertedRow(order: NewOrder, createdAt: Date): OrderRow {
  const { command } = order;
  const text = (value: number | undefined) => (value === undefined ? null : String(value));
  return {
    id: command.orderId,
    client_order_id: command.clientOrderId ?? null,
    symbol: command.symbol,
    side: command.side,
    type: order.apiType,
    time_in_force: timeInForceColumn(order),
    post_only: command.postOnly ?? false,
    stp: command.stpMode ?? 'NONE',
    price_ticks: text(command.priceTicks),
    stop_price_ticks: text(command.stopPriceTicks),
    qty_lots: text(command.qtyLots),
    quote_amount: quoteAmountColumn(order),
    status: 'NEW',
    cancel_requested: false,
    reject_code: null,
    filled_lots: '0',
    filled_quote: '0',
    lock_asset: order.lockAsset,
    locked_amount: order.lockMinor.toString(),
    created_at: createdAt,
    updated_at: createdAt,
  };
}

/**
 * Locks the funds of `orders` (all of one user), inserts them with their LOCK entries (one journal,
 * one pair per asset), and
 * queues one place command per order in the outbox, inside the caller's open transaction. With
 * `pack` the commands share one multi-message outbox row: one row per batch, not one per order.
 * Returns `placed: false` when an asset's available balance does not cover the orders' total
 * lock of it; the caller must then roll back, because the locks of the other assets may have
 * been taken by the same statement.
 */
export async function insertOrders(
  runner: QueryRunner,
  userId: string,
  orders: readonly NewOrder[],
  ordersTopic: string,
  pack = false,
): Promise<{ placed: false } | { placed: true; createdAt: Date }> {
  const totals = new Map<string, bigint>();
  for (const order of orders)
    totals.set(order.lockAsset, (totals.get(order.lockAsset) ?? 0n) + order.lockMinor);
  const rows: { placed: number; created_at: Date | null }[] = await runner.query(
    INSERT_ORDERS_SQL,
    [
      userId,
      [...totals.keys()],
      [...totals.values()].map(String),
      orders.map((o) => o.command.orderId),
      orders.map((o) => o.command.clientOrderId ?? null),
      orders.map((o) => o.command.symbol),
      orders.map((o) => o.command.side),
      orders.map((o) => o.apiType),
      orders.map(timeInForceColumn),
      orders.map((o) => o.command.postOnly ?? false),
      orders.map((o) => o.command.stpMode ?? 'NONE'),
      orders.map((o) => o.command.priceTicks ?? null),
      orders.map((o) => o.command.stopPriceTicks ?? null),
      orders.map((o) => o.command.qtyLots ?? null),
      orders.map(quoteAmountColumn),
      orders.map((o) => o.lockAsset),
      orders.map((o) => o.lockMinor.toString()),
      randomUUID(),
    ],
  );
  const [{ placed, created_at: createdAt }] = rows;
  if (placed === 0) return { placed: false };
  if (placed !== orders.length || createdAt === null) {
    throw new Error(`TX1 inserted ${placed} of ${orders.length} orders`);
  }
  await writeOutbox(
    runner,
    orders.map((order) => ({
      topic: ordersTopic,
      key: order.command.symbol,
      payload: encodeCommand(order.command) as object,
      commandId: order.command.commandId,
    })),
    { pack },
  );
  return { placed: true, createdAt };
}
