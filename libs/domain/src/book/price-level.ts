// One price on one side of the fast book: a FIFO of orders as an intrusive doubly linked list,
// with the level's total so a delta is O(1).
import { assert } from '../assert';
import { OrderNode } from './order-node';

export class PriceLevel {
  priceTicks = 0;
  /** Sort key inside its side: priceTicks for bids, -priceTicks for asks, so best is largest. */
  key = 0;
  totalLots = 0;
  orderCount = 0;
  head: OrderNode | null = null;
  tail: OrderNode | null = null;
  /** The eventSeq of the command that created this level. */
  createdSeq = 0;
  /** The command (eventSeq) that last reported this level, and the index of that delta. */
  deltaSeq = 0;
  deltaIndex = 0;

  append(node: OrderNode): void {
    node.level = this;
    node.prev = this.tail;
    node.next = null;
    if (this.tail === null) {
      this.head = node;
    } else {
      this.tail.next = node;
    }
    this.tail = node;
    this.orderCount += 1;
    this.totalLots += node.remainingLots;
  }

  /** Unlinks `node`; its remaining quantity must already be taken off totalLots by the caller if it traded. */
  unlink(node: OrderNode): void {
    assert(node.level === this, 'unlink: node is not on this level');
    if (node.prev === null) {
      this.head = node.next;
    } else {
      node.prev.next = node.next;
    }
    if (node.next === null) {
      this.tail = node.prev;
    } else {
      node.next.prev = node.prev;
    }
    node.prev = null;
    node.next = null;
    node.level = null;
    this.orderCount -= 1;
  }
}
