// The book's orderId index: an open-addressing hash table (linear probing, backward-shift
// deletion) over a typed array of hashes and an array of nodes. Under the churn of place and
// cancel it neither allocates nor rehashes, which a Map with string keys does; it grows by
// doubling only when the book does.
import { DomainInvariantError } from '../assert';
import { hashString } from '../engine/command-window';
import { OrderNode } from './order-node';

const INITIAL_SLOTS = 1_024;

export class OrderIndex {
  private hashes = new Int32Array(INITIAL_SLOTS);
  private nodes: (OrderNode | null)[] = new Array<OrderNode | null>(INITIAL_SLOTS).fill(null);
  private mask = INITIAL_SLOTS - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(orderId: string, hash: number = hashString(orderId)): OrderNode | undefined {
    const nodes = this.nodes;
    const hashes = this.hashes;
    const mask = this.mask;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const node = nodes[slot];
      if (node === null) return undefined;
      if (hashes[slot] === hash && node.orderId === orderId) return node;
    }
  }

  has(orderId: string): boolean {
    return this.get(orderId) !== undefined;
  }

  /** Adds a node whose orderId is not in the index yet; `node.idHash` must be hashString(orderId). */
  add(node: OrderNode): void {
    if ((this.count + 1) * 2 > this.nodes.length) this.grow();
    this.insert(node, node.idHash);
    this.count += 1;
  }

  /** Removes the node with this orderId; it must be present. */
  delete(orderId: string, hash: number = hashString(orderId)): void {
    const nodes = this.nodes;
    const hashes = this.hashes;
    const mask = this.mask;
    let hole = hash & mask;
    for (;;) {
      const node = nodes[hole];
      // The message is built only on failure: a template literal in assert's argument would
      // build a string on every probe of every delete.
      if (node === null)
        throw new DomainInvariantError(`OrderIndex.delete: ${orderId} is not indexed`);
      if (hashes[hole] === hash && node.orderId === orderId) break;
      hole = (hole + 1) & mask;
    }
    for (let slot = (hole + 1) & mask; nodes[slot] !== null; slot = (slot + 1) & mask) {
      const home = hashes[slot] & mask;
      if (((slot - home) & mask) >= ((slot - hole) & mask)) {
        nodes[hole] = nodes[slot];
        hashes[hole] = hashes[slot];
        hole = slot;
      }
    }
    nodes[hole] = null;
    this.count -= 1;
  }

  /** Every indexed node, in slot order (not a meaningful order). */
  values(): OrderNode[] {
    const out: OrderNode[] = [];
    for (const node of this.nodes) if (node !== null) out.push(node);
    return out;
  }

  private insert(node: OrderNode, hash: number): void {
    const nodes = this.nodes;
    const mask = this.mask;
    let slot = hash & mask;
    while (nodes[slot] !== null) slot = (slot + 1) & mask;
    nodes[slot] = node;
    this.hashes[slot] = hash;
  }

  private grow(): void {
    const old = this.nodes;
    const oldHashes = this.hashes;
    const size = old.length * 2;
    this.nodes = new Array<OrderNode | null>(size).fill(null);
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < old.length; i++) {
      const node = old[i];
      if (node !== null) this.insert(node, oldHashes[i]);
    }
  }
}
