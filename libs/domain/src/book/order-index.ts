// The book's orderId index: an open-addressing hash table (linear probing, backward-shift
// deletion) over a typed array of keys and an array of nodes. Under the churn of place and
// cancel it neither allocates nor rehashes, which a Map with string keys does; it grows by
// doubling only when the book does. A key is the orderId's hash with the top bit set, so 0 marks
// an empty slot: probes and the backward shift read only the keys, and a node only on a key match.
import { DomainInvariantError } from '../assert';
import { hashString } from '../engine/command-window';
import { OrderNode } from './order-node';

const INITIAL_SLOTS = 1_024;
/** Set in every stored key. Slot masks stay below it, so a key's home slot is its hash's. */
const OCCUPIED = 1 << 31;

export class OrderIndex {
  private keys = new Int32Array(INITIAL_SLOTS);
  private nodes: (OrderNode | null)[] = new Array<OrderNode | null>(INITIAL_SLOTS).fill(null);
  private mask = INITIAL_SLOTS - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(orderId: string, hash: number = hashString(orderId)): OrderNode | undefined {
    const keys = this.keys;
    const key = hash | OCCUPIED;
    const mask = this.mask;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const stored = keys[slot];
      if (stored === 0) return undefined;
      if (stored === key) {
        const node = this.nodes[slot] as OrderNode;
        if (node.orderId === orderId) return node;
      }
    }
  }

  has(orderId: string): boolean {
    return this.get(orderId) !== undefined;
  }

  /** Adds a node whose orderId is not in the index yet; `node.idHash` must be hashString(orderId). */
  add(node: OrderNode): void {
    if ((this.count + 1) * 2 > this.nodes.length) this.grow();
    this.insert(node, node.idHash | OCCUPIED);
    this.count += 1;
  }

  /** Removes the node with this orderId; it must be present. */
  delete(orderId: string, hash: number = hashString(orderId)): void {
    const nodes = this.nodes;
    const keys = this.keys;
    const key = hash | OCCUPIED;
    const mask = this.mask;
    let hole = hash & mask;
    for (;;) {
      const stored = keys[hole];
      // The message is built only on failure: a template literal in assert's argument would
      // build a string on every probe of every delete.
      if (stored === 0)
        throw new DomainInvariantError(`OrderIndex.delete: ${orderId} is not indexed`);
      if (stored === key && (nodes[hole] as OrderNode).orderId === orderId) break;
      hole = (hole + 1) & mask;
    }
    for (let slot = (hole + 1) & mask; keys[slot] !== 0; slot = (slot + 1) & mask) {
      const home = keys[slot] & mask;
      if (((slot - home) & mask) >= ((slot - hole) & mask)) {
        nodes[hole] = nodes[slot];
        keys[hole] = keys[slot];
        hole = slot;
      }
    }
    nodes[hole] = null;
    keys[hole] = 0;
    this.count -= 1;
  }

  /** Every indexed node, in slot order (not a meaningful order). */
  values(): OrderNode[] {
    const out: OrderNode[] = [];
    for (const node of this.nodes) if (node !== null) out.push(node);
    return out;
  }

  private insert(node: OrderNode, key: number): void {
    const keys = this.keys;
    const mask = this.mask;
    let slot = key & mask;
    while (keys[slot] !== 0) slot = (slot + 1) & mask;
    this.nodes[slot] = node;
    keys[slot] = key;
  }

  private grow(): void {
    const oldNodes = this.nodes;
    const oldKeys = this.keys;
    const size = oldNodes.length * 2;
    this.nodes = new Array<OrderNode | null>(size).fill(null);
    this.keys = new Int32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < oldNodes.length; i++) {
      const key = oldKeys[i];
      if (key !== 0) this.insert(oldNodes[i] as OrderNode, key);
    }
  }
}
