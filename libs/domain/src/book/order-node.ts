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
  quoteFilledMinor = 0n;
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

  // Per-command scratch: the eventSeq that last touched this node and what it released then.
  touchedSeq = 0;
  releasedMinor = 0n;
  /** Quote released as a safe number, folded into releasedMinor when the command ends. */
  releasedNumber = 0;
}
