// The contract between the engine and a per-market book. Two implementations honour it: the fast
// OrderBook and the naive ReferenceBook kept beside it for differential testing.
import { ErrorCode } from '../error-codes';
import { Market, MarketStatus } from '../money/market';
import {
  AmendOrderCommand,
  CancelAllCommand,
  CancelOrderCommand,
  EngineCommand,
  OrderType,
  PlaceOrderCommand,
  SetMarketStatusCommand,
  Side,
  StpMode,
  TimeInForce,
} from './commands';
import { EngineResult } from './results';

/**
 * A live order as a snapshot or the database holds it: enough to rebuild the book exactly.
 * Resting orders have status NEW or PARTIALLY_FILLED; stop orders waiting for their trigger
 * PENDING_TRIGGER. prioritySeq orders the queue (lower = earlier) within a price level, and
 * orders pending stops (lower = triggered first).
 */
export interface OpenOrder {
  orderId: string;
  userId: string;
  clientOrderId?: string;
  side: Side;
  orderType: OrderType;
  timeInForce: TimeInForce;
  postOnly: boolean;
  stpMode: StpMode;
  status: 'NEW' | 'PARTIALLY_FILLED' | 'PENDING_TRIGGER';
  priceTicks?: number;
  stopPriceTicks?: number;
  originalLots: number;
  filledLots: number;
  remainingLots: number;
  quoteFilledMinor: bigint;
  /** Pending market buy by quote: its amount. */
  quoteAmountMinor?: bigint;
  /** Pending market buy by quantity: its cap. */
  quoteCapMinor?: bigint;
  prioritySeq: number;
}

/** Per-market counters and status, persisted beside the open orders (settlement's checkpoint). */
export interface BookCheckpoint {
  status: MarketStatus;
  /** Last eventSeq emitted. */
  eventSeq: number;
  /** Last tradeSeq emitted. */
  tradeSeq: number;
  /** Price of the last trade; 0 when the market has not traded. Drives stop triggers. */
  lastTradePriceTicks: number;
  /** Next prioritySeq to assign; must exceed every prioritySeq of the open orders. */
  nextPrioritySeq: number;
}

/**
 * Everything a market's book holds: counters, resting orders in priority order (best price first,
 * then FIFO) and pending stops in prioritySeq order.
 */
export interface BookSnapshot extends BookCheckpoint {
  symbol: string;
  bids: OpenOrder[];
  asks: OpenOrder[];
  stops: OpenOrder[];
}

/** One market's state machine. Commands reach it already validated by validateCommand. */
export interface MatchingBook {
  readonly market: Market;
  readonly status: MarketStatus;
  place(cmd: PlaceOrderCommand): EngineResult;
  cancel(cmd: CancelOrderCommand): EngineResult;
  cancelAll(cmd: CancelAllCommand): EngineResult;
  amend(cmd: AmendOrderCommand): EngineResult;
  setStatus(cmd: SetMarketStatusCommand): EngineResult;
  /** A REJECTED result for a command that failed static validation; consumes an eventSeq. */
  reject(cmd: EngineCommand, code: ErrorCode): EngineResult;
  snapshot(): BookSnapshot;
  /** Throws DomainInvariantError if any internal invariant is broken. */
  validateInternalState(): void;
}

/** Builds a book for a market, empty or restored from a snapshot. */
export type BookFactory = (market: Market, snapshot?: BookSnapshot) => MatchingBook;
