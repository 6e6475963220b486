// Results the matching engine returns: exactly one per command. A result carries everything
// settlement and market-data need; neither has to know the engine's state to apply it.
import { ErrorCode, ExpiryReason } from '../error-codes';
import { MarketStatus } from '../money/market';
import { CommandType, OrderType, Side } from './commands';

/**
 * What a command did, in one word:
 * ACCEPTED (resting or pending stop, nothing traded; also a market status change),
 * FILLED, PARTIALLY_FILLED (traded and the rest rests), EXPIRED (traded or not, and the rest
 * expired: IOC, market remainder, self-trade prevention), REJECTED (code says why; nothing
 * changed), CANCELLED, AMENDED, DUPLICATE (commandId already applied; nothing changed).
 */
export type ResultStatus =
  | 'ACCEPTED'
  | 'FILLED'
  | 'PARTIALLY_FILLED'
  | 'EXPIRED'
  | 'REJECTED'
  | 'CANCELLED'
  | 'AMENDED'
  | 'DUPLICATE';

/** Life-cycle state of an order. NEW and PARTIALLY_FILLED rest in the book. */
export type OrderStatus =
  'PENDING_TRIGGER' | 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELLED' | 'EXPIRED' | 'REJECTED';

/**
 * The state of one order after a command, for every order the command changed. Static fields the
 * place command already carried (time in force, post-only, STP mode) are not repeated. Lock accounting:
 * over an order's life, lock taken (lockForOrder plus any amend lockAddMinor) = quote or base spent
 * in its trades + the sum of releasedMinor + lockRemainingMinor. Settlement moves `releasedMinor`
 * from locked to available; trades move what they spend.
 */
export interface OrderUpdate {
  orderId: string;
  clientOrderId: string | undefined;
  userId: string;
  side: Side;
  orderType: OrderType;
  status: OrderStatus;
  /** Set when status is EXPIRED. */
  reason: ExpiryReason | undefined;
  /** Limit price; undefined for market orders. */
  priceTicks: number | undefined;
  stopPriceTicks: number | undefined;
  /** filledLots + remainingLots; an amend redefines it. For a market buy by quote, = filledLots. */
  originalLots: number;
  filledLots: number;
  /** Unfilled quantity; for a terminal order, the part that was cancelled or expired. */
  remainingLots: number;
  /** Cumulative quote traded by this order, quote minor units. */
  quoteFilledMinor: bigint;
  /** Asset of this order's lock: base for sells, quote for buys. */
  lockAsset: string;
  /** Lock still held for what the open part can spend; 0 for a terminal order. */
  lockRemainingMinor: bigint;
  /** Lock released by this command (not spent): cancel, expiry, price improvement, excess cap. */
  releasedMinor: bigint;
  /** Queue position key while resting or pending (ascending = earlier); 0 when terminal. */
  prioritySeq: number;
}

/**
 * One execution. The price is the maker's. Fees are charged in the asset each party receives:
 * the buyer pays in base minor units, the seller in quote minor units, ceil(received x rate).
 */
export interface Trade {
  /** Per-symbol, gapless, starting at 1. */
  tradeSeq: number;
  priceTicks: number;
  qtyLots: number;
  /** priceTicks x qtyLots x quoteMinorPerTickLot. */
  quoteMinor: bigint;
  /** qtyLots x baseMinorPerLot. */
  baseMinor: bigint;
  makerOrderId: string;
  takerOrderId: string;
  makerUserId: string;
  takerUserId: string;
  takerSide: Side;
  makerFeeMinor: bigint;
  makerFeeAsset: string;
  takerFeeMinor: bigint;
  takerFeeAsset: string;
}

/** A price level after the command: its new total resting quantity (0 = level gone). */
export interface BookDelta {
  side: Side;
  priceTicks: number;
  qtyLots: number;
}

export interface EngineResult {
  commandId: string;
  commandType: CommandType;
  symbol: string;
  /** Per-symbol, gapless from 1 over every non-DUPLICATE result of a known market; 0 otherwise. */
  eventSeq: number;
  timestampMs: number;
  status: ResultStatus;
  /** Set when status is REJECTED. */
  code: ErrorCode | undefined;
  /** The order the command is about (placed, cancelled or amended), after the command. */
  order: OrderUpdate | undefined;
  /** In execution order, including those of stop orders the command triggered. */
  trades: readonly Trade[];
  /** One per touched level, in first-touch order, with the level's final total. */
  bookDeltas: readonly BookDelta[];
  /** Every other order the command changed (makers, STP expiries, triggered stops, cancelAll), in first-touch order. */
  ordersAffected: readonly OrderUpdate[];
  /** Set by setMarketStatus results: the market's status afterwards. */
  marketStatus: MarketStatus | undefined;
}
