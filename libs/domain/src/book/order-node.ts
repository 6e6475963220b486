// An order inside the fast book: a node of its price level's intrusive FIFO list, plus the
// per-command scratch fields the book uses to report each changed order once.
import { ExpiryReason } from '../error-codes';
import { OrderType, Side, StpMode, TimeInForce } from '../engine/commands';
import { OrderStatus } from '../engine/results';
import type { PriceLevel } from './price-level';

export class OrderNode {
  orderId = '';
  /** hashString(orderId), computed once for the book's index. */
  idHash = 0;
  userId = '';
  clientOrderId: string | undefined = undefined;
  side: Side = 'BUY';
  orderType: OrderType = 'LIMIT';
  timeInForce: TimeInForce = 'GTC';
  postOnly = false;
  stpMode: StpMode = 'NONE';
  /** Limit price in ticks; 0 for a market order. */
  priceTicks = 0;
  /** Stop price in ticks; 0 when not a stop order. */
  stopPriceTicks = 0;
  originalLots = 0;
  filledLots = 0;
  remainingLots = 0;
  /**
   * Cumulative quote traded: quoteFilledNumber while it is a safe integer, with anything beyond
   * folded into quoteFilledBig (0n until a total passes 2^53 minor units, as totals of an asset
   * with 18 decimals do); quoteFilledOf adds them. A number is
   * updated in place, where a bigint field would take a new young bigint on every trade, stored
   * into a node that is usually old: a write barrier, and an entry the next scavenge must visit.
   */
  quoteFilledNumber = 0;
  quoteFilledBig = 0n;
  /** Market buy by quote: its amount; undefined otherwise. */
  quoteAmountMinor: bigint | undefined = undefined;
  /** Market buy by quantity: its cap; undefined otherwise. */
  quoteCapMinor: bigint | undefined = undefined;
  status: OrderStatus = 'NEW';
  reason: ExpiryReason | undefined = undefined;
  prioritySeq = 0;
  /** True while the book's OrderIndex holds this node (resting or pending). */
  indexed = false;

  // Intrusive queue links while resting.
  prev: OrderNode | null = null;
  next: OrderNode | null = null;
  level: PriceLevel | null = null;

  // Per-command scratch: the eventSeq that last touched this node and what it released then, as a
  // safe number where it can (the common case, for the same reason as quoteFilledNumber) plus a
  // bigint for the rest; the result reports their sum.
  touchedSeq = 0;
  releasedMinor = 0n;
  releasedNumber = 0;
}
