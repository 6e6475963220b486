// One side of the fast book: active price levels in an array sorted so the best level is last
// (O(1) best, O(log n) search, O(distance from top) insert and delete), plus a free list so the
// cancel and re-place churn near the top does not allocate.
import { assert } from '../assert';
import { Side } from '../engine/commands';
import { PriceLevel } from './price-level';

export class BookSide {
  /** Levels sorted by key ascending; the best level is at the end. */
  readonly levels: PriceLevel[] = [];
  /**
   * keys[i] = levels[i].key: a search reads this one array of small integers, a few cache lines
   * for hundreds of levels, instead of one level object per probe.
   */
  private readonly keys: number[] = [];
  private readonly free: PriceLevel[] = [];
  private readonly sign: number;

  constructor(readonly side: Side) {
    this.sign = side === 'BUY' ? 1 : -1;
  }

  best(): PriceLevel | undefined {
    const levels = this.levels;
    return levels.length === 0 ? undefined : levels[levels.length - 1];
  }

  /** The level at `priceTicks`, or undefined. */
  find(priceTicks: number): PriceLevel | undefined {
    const index = this.indexOf(priceTicks * this.sign);
    return index >= 0 ? this.levels[index] : undefined;
  }

  /** The level at `priceTicks`, created empty (orderCount 0) if absent. */
  findOrCreate(priceTicks: number): PriceLevel {
    const key = priceTicks * this.sign;
    const levels = this.levels;
    const keys = this.keys;
    // Fast path: most inserts land at or near the top of the book.
    let low = 0;
    let high = keys.length;
    const top = keys.length - 1;
    if (top >= 0) {
      const topKey = keys[top];
      if (topKey === key) return levels[top];
      if (topKey < key) {
        low = keys.length;
      }
    }
    while (low < high) {
      const mid = (low + high) >>> 1;
      const midKey = keys[mid];
      if (midKey === key) return levels[mid];
      if (midKey < key) low = mid + 1;
      else high = mid;
    }
    const level = this.free.pop() ?? new PriceLevel();
    level.priceTicks = priceTicks;
    level.key = key;
    level.totalLots = 0;
    level.orderCount = 0;
    level.head = null;
    level.tail = null;
    level.createdSeq = 0;
    level.deltaSeq = 0;
    level.deltaIndex = 0;
    if (low === levels.length) {
      levels.push(level);
      keys.push(key);
    } else {
      levels.splice(low, 0, level);
      keys.splice(low, 0, key);
    }
    return level;
  }

  /** Removes an empty level. */
  remove(level: PriceLevel): void {
    assert(level.orderCount === 0 && level.totalLots === 0, 'remove: level is not empty');
    const levels = this.levels;
    const top = levels.length - 1;
    if (top >= 0 && levels[top] === level) {
      levels.pop();
      this.keys.pop();
    } else {
      const index = this.indexOf(level.key);
      assert(index >= 0 && levels[index] === level, 'remove: level not found');
      levels.splice(index, 1);
      this.keys.splice(index, 1);
    }
    level.head = null;
    level.tail = null;
    this.free.push(level);
  }

  /** Checks that the search keys mirror the levels' keys, for validateBookState. */
  validateKeys(): void {
    assert(
      this.keys.length === this.levels.length,
      `${this.side} keys and levels differ in length`,
    );
    for (let i = 0; i < this.levels.length; i++) {
      assert(this.keys[i] === this.levels[i].key, `${this.side} search key ${i} is stale`);
    }
  }

  private indexOf(key: number): number {
    const keys = this.keys;
    let low = 0;
    let high = keys.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const midKey = keys[mid];
      if (midKey === key) return mid;
      if (midKey < key) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }
}
