// Proves the orderId index against a Map on long seeded streams of add, get and delete: pools
// small enough to churn one probe run and large enough to grow the table, ids whose 32-bit hashes
// are equal, and full membership checks along the way.
import { DomainInvariantError } from '../assert';
import { hashString } from '../engine/command-window';
import { OrderIndex } from './order-index';
import { OrderNode } from './order-node';
import { COLLIDING_IDS } from '../testing/colliding-ids';
import { Prng } from '../testing/prng';

/** A seeded generator of floats in [0, 1), so a failing stream can be replayed. */
function random(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.float();
}

function nodeFor(orderId: string): OrderNode {
  const node = new OrderNode();
  node.orderId = orderId;
  node.idHash = hashString(orderId);
  return node;
}

function expectSameAs(index: OrderIndex, model: Map<string, OrderNode>, pool: string[]): void {
  expect(index.size).toBe(model.size);
  for (const id of pool) expect(index.get(id)).toBe(model.get(id));
  const values = index.values();
  expect(values).toHaveLength(model.size);
  expect(new Set(values)).toEqual(new Set(model.values()));
}

describe('OrderIndex', () => {
  it('tells apart ids whose hashes are equal', () => {
    for (const [a, b] of COLLIDING_IDS) expect(hashString(a)).toBe(hashString(b));
    const index = new OrderIndex();
    const first = nodeFor('c693596');
    const second = nodeFor('c1170850');
    index.add(first);
    expect(index.get('c1170850')).toBeUndefined();
    index.add(second);
    expect(index.get('c693596')).toBe(first);
    expect(index.get('c1170850')).toBe(second);
    index.delete(first);
    expect(index.has('c693596')).toBe(false);
    expect(index.get('c1170850', second.idHash)).toBe(second);
    expect(() => index.delete(first)).toThrow(DomainInvariantError);
    // A delete goes by identity: another node with an indexed orderId is not indexed.
    expect(() => index.delete(nodeFor('c1170850'))).toThrow(DomainInvariantError);
    expect(index.get('c1170850')).toBe(second);
  });

  // The table starts at 1,024 slots and doubles past half full: 3,000 ids grow it twice over.
  it.each([
    { poolSize: 8, peakAtLeast: 8 },
    { poolSize: 300, peakAtLeast: 200 },
    { poolSize: 3_000, peakAtLeast: 1_025 },
  ])(
    'matches a Map over adds, gets and deletes (pool of $poolSize)',
    ({ poolSize, peakAtLeast }) => {
      const next = random(poolSize);
      const pool = [...COLLIDING_IDS.flat()];
      for (let n = 0; n < poolSize; n++) pool.push(`order-${n}`);
      const index = new OrderIndex();
      const model = new Map<string, OrderNode>();
      const steps = 6_000;
      let peak = 0;
      for (let step = 0; step < steps; step++) {
        // Mostly adds in the first half, so the larger pools grow the table; mostly deletes after.
        const addRate = step < steps / 2 ? 0.8 : 0.2;
        const id = pool[Math.floor(next() * pool.length)];
        const present = model.get(id);
        if (present === undefined && next() < addRate) {
          const node = nodeFor(id);
          index.add(node);
          model.set(id, node);
        } else if (present !== undefined && next() >= addRate) {
          index.delete(present);
          model.delete(id);
          expect(index.has(id)).toBe(false);
        }
        expect(index.get(id)).toBe(model.get(id));
        const probe = pool[Math.floor(next() * pool.length)];
        expect(index.get(probe)).toBe(model.get(probe));
        expect(index.size).toBe(model.size);
        peak = Math.max(peak, model.size);
        if (step % 500 === 0) expectSameAs(index, model, pool);
      }
      expectSameAs(index, model, pool);
      expect(peak).toBeGreaterThanOrEqual(peakAtLeast);
      for (const [id, node] of [...model]) {
        index.delete(node);
        model.delete(id);
      }
      expectSameAs(index, model, pool);
    },
  );
});
