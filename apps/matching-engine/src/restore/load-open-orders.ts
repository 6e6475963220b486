// Reads the live orders the engine had accepted, as settlement recorded them, in the shape the
// domain rebuilds books from.
import type { OpenOrderRow, OrderType, StpMode, TimeInForce } from '@app/domain';
import type { Queryable } from '@app/database';

interface OrderRow {
  id: string;
  user_id: string;
  client_order_id: string | null;
  symbol: string;
  side: 'BUY' | 'SELL';
  type: 'LIMIT' | 'MARKET' | 'STOP_LIMIT' | 'STOP_MARKET';
  time_in_force: TimeInForce | null;
  post_only: boolean;
  stp: StpMode;
  status: string;
  price_ticks: string | null;
  stop_price_ticks: string | null;
  qty_lots: string | null;
  quote_amount: string | null;
  filled_lots: string;
  filled_quote: string;
  locked_amount: string;
  book_seq: string;
}

/**
 * Orders the engine holds: accepted (book_seq set by settlement from the result's prioritySeq)
 * and still live. An order still NEW without a book_seq was written by TX1 but its place
 * command has not been applied (or its result not settled), so it is not in the book: its
 * command is still ahead of the committed offsets. PENDING_TRIGGER is listed for stop orders,
 * whose status the schema is about to gain.
 */
const OPEN_ORDERS_SQL = `
  SELECT id::text AS id, user_id::text AS user_id, client_order_id, symbol, side, type,
         time_in_force, post_only, stp, status,
         price_ticks::text AS price_ticks, stop_price_ticks::text AS stop_price_ticks,
         qty_lots::text AS qty_lots, quote_amount::text AS quote_amount,
         filled_lots::text AS filled_lots, filled_quote::text AS filled_quote,
         locked_amount::text AS locked_amount, book_seq::text AS book_seq
    FROM orders
   WHERE status IN ('NEW', 'OPEN', 'PARTIALLY_FILLED', 'PENDING_TRIGGER')
     AND book_seq IS NOT NULL
     AND symbol = ANY($1)
   ORDER BY symbol, book_seq`;

function safeInt(text: string | null, what: string): number | undefined {
  if (text === null) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${what} ${text} is not a safe integer`);
  return value;
}

/** Maps one database row to the domain's open order. */
export function toOpenOrderRow(row: OrderRow): OpenOrderRow {
  const pending = row.status === 'PENDING_TRIGGER';
  const orderType: OrderType =
    row.type === 'MARKET' || row.type === 'STOP_MARKET' ? 'MARKET' : 'LIMIT';
  const qtyLots = safeInt(row.qty_lots, `order ${row.id} qty_lots`);
  const filledLots = safeInt(row.filled_lots, `order ${row.id} filled_lots`) ?? 0;
  const quoteAmountMinor = row.quote_amount === null ? undefined : BigInt(row.quote_amount);
  return {
    orderId: row.id,
    userId: row.user_id,
    clientOrderId: row.client_order_id ?? undefined,
    symbol: row.symbol,
    side: row.side,
    orderType,
    timeInForce: row.time_in_force ?? (orderType === 'MARKET' ? 'IOC' : 'GTC'),
    postOnly: row.post_only,
    stpMode: row.stp,
    status: pending
      ? 'PENDING_TRIGGER'
      : row.status === 'PARTIALLY_FILLED'
        ? 'PARTIALLY_FILLED'
        : 'NEW',
    priceTicks: safeInt(row.price_ticks, `order ${row.id} price_ticks`),
    stopPriceTicks: safeInt(row.stop_price_ticks, `order ${row.id} stop_price_ticks`),
    originalLots: qtyLots ?? filledLots,
    filledLots,
    remainingLots: qtyLots === undefined ? 0 : qtyLots - filledLots,
    quoteFilledMinor: BigInt(row.filled_quote),
    quoteAmountMinor: pending ? quoteAmountMinor : undefined,
    // A pending market buy by quantity spends at most what it still has locked.
    quoteCapMinor:
      pending && orderType === 'MARKET' && row.side === 'BUY' && quoteAmountMinor === undefined
        ? BigInt(row.locked_amount)
        : undefined,
    prioritySeq: safeInt(row.book_seq, `order ${row.id} book_seq`) as number,
  };
}

/** The live orders of `symbols`, in book priority order per symbol. */
export async function loadOpenOrders(
  db: Queryable,
  symbols: readonly string[],
): Promise<OpenOrderRow[]> {
  const rows = (await db.query(OPEN_ORDERS_SQL, [symbols])) as OrderRow[];
  return rows.map(toOpenOrderRow);
}
