// A deterministic 64-bit FNV-1a hash of a book's contents, in pure TypeScript. Two books with the
// same counters, status, resting orders in the same priority order and the same pending stops
// hash equal, whichever implementation holds them and however they were rebuilt.
import { BookSnapshot, OpenOrder } from './matching-book';

/** FNV-1a over UTF-16 code units (two bytes each), 64 bits kept as two 32-bit halves. */
export class Fnv1a64 {
  private high = 0xcbf29ce4;
  private low = 0x84222325;

  /** Feeds a string followed by a separator, so ("ab","c") and ("a","bc") differ. */
  add(text: string): this {
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      this.byte(unit & 0xff);
      this.byte(unit >>> 8);
    }
    this.byte(0x1f);
    return this;
  }

  addNumber(value: number | bigint | undefined): this {
    return this.add(value === undefined ? '~' : String(value));
  }

  /** 16 lowercase hex digits. */
  digest(): string {
    return this.high.toString(16).padStart(8, '0') + this.low.toString(16).padStart(8, '0');
  }

  /** Feeds one byte (0..255). */
  byte(value: number): void {
    // h ^= byte; h *= 0x100000001b3 (mod 2^64), with 0x100000001b3 = 2^40 + 0x1b3.
    const low = (this.low ^ value) >>> 0;
    const lowProduct = low * 0x1b3;
    const carry = Math.floor(lowProduct / 0x100000000);
    this.high = (this.high * 0x1b3 + carry + ((low << 8) >>> 0)) >>> 0;
    this.low = lowProduct >>> 0;
  }
}

function addOrder(hash: Fnv1a64, order: OpenOrder): void {
  hash
    .add(order.orderId)
    .add(order.userId)
    .add(order.clientOrderId ?? '~')
    .add(order.side)
    .add(order.orderType)
    .add(order.timeInForce)
    .add(order.postOnly ? '1' : '0')
    .add(order.stpMode)
    .add(order.status)
    .addNumber(order.priceTicks)
    .addNumber(order.stopPriceTicks)
    .addNumber(order.originalLots)
    .addNumber(order.filledLots)
    .addNumber(order.remainingLots)
    .addNumber(order.quoteFilledMinor)
    .addNumber(order.quoteAmountMinor)
    .addNumber(order.quoteCapMinor)
    .addNumber(order.prioritySeq);
}

/**
 * Hash of a book snapshot. nextPrioritySeq is left out on purpose: a book rebuilt from the
 * database's open orders knows only that it exceeds every open order's priority, and it
 * changes nothing about how the book behaves.
 */
export function hashBookSnapshot(snapshot: BookSnapshot, into: Fnv1a64 = new Fnv1a64()): Fnv1a64 {
  into
    .add(snapshot.symbol)
    .add(snapshot.status)
    .addNumber(snapshot.eventSeq)
    .addNumber(snapshot.tradeSeq)
    .addNumber(snapshot.lastTradePriceTicks);
  into.add('bids').addNumber(snapshot.bids.length);
  for (const order of snapshot.bids) addOrder(into, order);
  into.add('asks').addNumber(snapshot.asks.length);
  for (const order of snapshot.asks) addOrder(into, order);
  into.add('stops').addNumber(snapshot.stops.length);
  for (const order of snapshot.stops) addOrder(into, order);
  return into;
}
