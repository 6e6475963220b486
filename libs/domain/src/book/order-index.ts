// The book's orderId index: an open-addressing hash table (linear probing, backward-shift
// deletion) over one array holding each slot's hash next to its node. Under the churn of place and
// cancel it neither allocates nor rehashes, which a Map with string keys does; it grows by
// doubling only when the book does.
import { DomainInvariantError } from '../assert';
import { hashString } from '../engine/command-window';
import { OrderNode } from './order-node';

const INITIAL_SLOTS = 1_024;

/**
 * Slot i is entries[2i] = the node's hash (a small integer) and entries[2i + 1] = the node, or
 * null for an empty slot: one array, so a probe reads one cache line where separate arrays of
 * hashes and nodes made it read two.
 */
type Entries = (number | OrderNode | null)[];

function emptyEntries(slots: number): Entries {
  const entries: Entries = new Array<number | OrderNode | null>(2 * slots);
  for (let i = 0; i < entries.length; i += 2) {
    entries[i] = 0;
    entries[i + 1] = null;
  }
  return entries;
}

export class OrderIndex {
  private entries = emptyEntries(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(orderId: string, hash: number = hashString(orderId)): OrderNode | undefined {
    const entries = this.entries;
    const mask = this.mask;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const node = entries[2 * slot + 1] as OrderNode | null;
      if (node === null) return undefined;
      if (entries[2 * slot] === hash && node.orderId === orderId) return node;
    }
  }

  has(orderId: string): boolean {
    return this.get(orderId) !== undefined;
  }

  /** Adds a node whose orderId is not in the index yet; `node.idHash` must be hashString(orderId). */
  add(node: OrderNode): void {
    if ((this.count + 1) * 4 > this.entries.length) this.grow();
    this.insert(node, node.idHash);
    this.count += 1;
  }

  /**
   * Removes `node`, which must be indexed. It is found by identity, not by orderId, so the delete
   * of a maker filled long after it rested does not read its orderId string, another cache line.
   */
  delete(node: OrderNode): void {
    const entries = this.entries;
    const mask = this.mask;
    let hole = node.idHash & mask;
    for (;;) {
      const entry = entries[2 * hole + 1];
      // The message is built only on failure: a template literal in assert's argument would
      // build a string on every probe of every delete.
      if (entry === null)
        throw new DomainInvariantError(`OrderIndex.delete: ${node.orderId} is not indexed`);
      if (entry === node) break;
      hole = (hole + 1) & mask;
    }
    for (let slot = (hole + 1) & mask; entries[2 * slot + 1] !== null; slot = (slot + 1) & mask) {
      const slotHash = entries[2 * slot] as number;
      const home = slotHash & mask;
      if (((slot - home) & mask) >= ((slot - hole) & mask)) {
        entries[2 * hole] = slotHash;
        entries[2 * hole + 1] = entries[2 * slot + 1];
        hole = slot;
      }
    }
    entries[2 * hole + 1] = null;
    this.count -= 1;
  }

  /** Every indexed node, in slot order (not a meaningful order). */
  values(): OrderNode[] {
    const out: OrderNode[] = [];
    for (let i = 1; i < this.entries.length; i += 2) {
      const node = this.entries[i] as OrderNode | null;
      if (node !== null) out.push(node);
    }
    return out;
  }

  private insert(node: OrderNode, hash: number): void {
    const entries = this.entries;
    const mask = this.mask;
    let slot = hash & mask;
    while (entries[2 * slot + 1] !== null) slot = (slot + 1) & mask;
    entries[2 * slot] = hash;
    entries[2 * slot + 1] = node;
  }

  private grow(): void {
    const old = this.entries;
    const slots = old.length; // twice the slots of `old`
    this.entries = emptyEntries(slots);
    this.mask = slots - 1;
    for (let i = 0; i < old.length; i += 2) {
      const node = old[i + 1] as OrderNode | null;
      if (node !== null) this.insert(node, old[i] as number);
    }
  }
}
