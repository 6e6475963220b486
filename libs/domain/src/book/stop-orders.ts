// Stop orders waiting for their trigger, outside the book. Each side is an array sorted so the
// orders the next trade can trigger sit at the end: buy stops (trigger when last >= stop) by stop
// price descending, sell stops (trigger when last <= stop) ascending; ties by prioritySeq.
import { assert } from '../assert';
import { OrderNode } from './order-node';

export class StopOrders {
  readonly buys: OrderNode[] = [];
  readonly sells: OrderNode[] = [];

  get size(): number {
    return this.buys.length + this.sells.length;
  }

  add(node: OrderNode): void {
    const list = node.side === 'BUY' ? this.buys : this.sells;
    const index = this.insertionIndex(list, node);
    if (index === list.length) list.push(node);
    else list.splice(index, 0, node);
  }

  remove(node: OrderNode): void {
    const list = node.side === 'BUY' ? this.buys : this.sells;
    const index = this.insertionIndex(list, node) - 1;
    assert(index >= 0 && list[index] === node, 'StopOrders.remove: order not found');
    list.splice(index, 1);
  }

  /**
   * Removes and returns every stop the last trade price triggers, in prioritySeq order, or null
   * when there is none.
   */
  takeTriggered(lastTradePriceTicks: number): OrderNode[] | null {
    let taken: OrderNode[] | null = null;
    const buys = this.buys;
    while (buys.length > 0 && buys[buys.length - 1].stopPriceTicks <= lastTradePriceTicks) {
      (taken ??= []).push(buys.pop() as OrderNode);
    }
    const sells = this.sells;
    while (sells.length > 0 && sells[sells.length - 1].stopPriceTicks >= lastTradePriceTicks) {
      (taken ??= []).push(sells.pop() as OrderNode);
    }
    if (taken !== null && taken.length > 1) taken.sort((a, b) => a.prioritySeq - b.prioritySeq);
    return taken;
  }

  /** True when the order, placed now, would trigger at once at this last trade price. */
  static triggers(
    side: 'BUY' | 'SELL',
    stopPriceTicks: number,
    lastTradePriceTicks: number,
  ): boolean {
    if (lastTradePriceTicks === 0) return false;
    return side === 'BUY'
      ? lastTradePriceTicks >= stopPriceTicks
      : lastTradePriceTicks <= stopPriceTicks;
  }

  /**
   * Index after every element that sorts before or equal to `node` (the triggering end is last,
   * so "before" means "triggers later").
   */
  private insertionIndex(list: OrderNode[], node: OrderNode): number {
    const sign = node.side === 'BUY' ? -1 : 1;
    const key = node.stopPriceTicks * sign;
    let low = 0;
    let high = list.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = list[mid];
      const otherKey = other.stopPriceTicks * sign;
      // Within one stop price, later prioritySeq triggers later, so it sorts towards the front.
      const before = otherKey < key || (otherKey === key && other.prioritySeq >= node.prioritySeq);
      if (before) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
