// Commands the matching engine accepts. Plain data with a `type` discriminator; bigint fields are
// quote or base minor units and travel as decimal strings in JSON (see codec.ts).
import { MarketStatus } from '../money/market';

export type Side = 'BUY' | 'SELL';
export type OrderType = 'LIMIT' | 'MARKET';
/** GTC rests the remainder; IOC expires it; FOK fills entirely at once or is rejected. */
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
/**
 * Self-trade prevention, decided by the incoming (taker) order when it meets a resting order of
 * the same userId: NONE trades with it; EXPIRE_TAKER expires the incoming remainder; EXPIRE_MAKER
 * expires the resting order and continues; EXPIRE_BOTH expires both.
 */
export type StpMode = 'NONE' | 'EXPIRE_TAKER' | 'EXPIRE_MAKER' | 'EXPIRE_BOTH';

/** Fields every command carries. Time and identity come in with the command, never from a clock. */
export interface CommandBase {
  /** Unique per command; a repeated commandId within the dedupe window yields DUPLICATE. */
  commandId: string;
  /** Milliseconds since the epoch, stamped by order-service; echoed in the result. */
  timestampMs: number;
  userId: string;
  symbol: string;
}

/**
 * Place an order. LIMIT needs priceTicks and qtyLots. MARKET needs qtyLots (and, for a buy,
 * quoteCapMinor), or, for a buy only, quoteAmountMinor (spend at most that much quote).
 * With stopPriceTicks the order is held outside the book until the last trade price reaches it
 * (buy: last >= stop; sell: last <= stop), then runs as the LIMIT or MARKET order it describes.
 */
export interface PlaceOrderCommand extends CommandBase {
  type: 'place';
  /** Assigned by order-service, unique. */
  orderId: string;
  clientOrderId?: string;
  side: Side;
  orderType: OrderType;
  /** LIMIT only; GTC when absent. MARKET orders behave as IOC and must leave this absent or IOC. */
  timeInForce?: TimeInForce;
  /** LIMIT only: reject rather than take liquidity. */
  postOnly?: boolean;
  /** NONE when absent. */
  stpMode?: StpMode;
  priceTicks?: number;
  qtyLots?: number;
  /** MARKET BUY by quote: the exact amount locked; the order spends at most this. */
  quoteAmountMinor?: bigint;
  /**
   * BUY only: the quote the caller locked for this order; the engine never spends more. Required
   * for a MARKET BUY by quantity. For a LIMIT BUY it must cover priceTicks x qtyLots; any excess
   * is released at acceptance. Absent on a LIMIT BUY means exactly the notional was locked.
   */
  quoteCapMinor?: bigint;
  stopPriceTicks?: number;
}

/** Cancel one live order (resting or pending stop) of this user. */
export interface CancelOrderCommand extends CommandBase {
  type: 'cancel';
  orderId: string;
}

/** Cancel every live order (resting and pending stop) of this user in this market. */
export interface CancelAllCommand extends CommandBase {
  type: 'cancelAll';
}

/**
 * Amend a resting order. qtyLots is the new REMAINING (open) quantity. Reducing the quantity at the
 * same price keeps time priority; changing the price or increasing the quantity re-enters the
 * order at the back of the queue, and a new price may trade at once. When the order needs more
 * lock (a buy's price or quantity up, a sell's quantity up), order-service locks it first and
 * sends it as lockAddMinor; the engine releases whatever is not needed.
 */
export interface AmendOrderCommand extends CommandBase {
  type: 'amend';
  orderId: string;
  priceTicks?: number;
  qtyLots?: number;
  /** Extra lock taken by order-service for this amend, in the order's lock asset; 0 when absent. */
  lockAddMinor?: bigint;
}

/** Operator command: halt or resume a market. */
export interface SetMarketStatusCommand extends CommandBase {
  type: 'setMarketStatus';
  status: MarketStatus;
}

export type EngineCommand =
  | PlaceOrderCommand
  | CancelOrderCommand
  | CancelAllCommand
  | AmendOrderCommand
  | SetMarketStatusCommand;

export type CommandType = EngineCommand['type'];
