// Proves the dedupe window against models on random streams with repeats: a plain array of the
// last N ids (fast-check), and a Set plus a queue checked after every step of long seeded streams
// that collide in the table (small capacities, and ids whose 32-bit hashes are equal).
import fc from 'fast-check';
import { CommandIdWindow, hashString } from './command-window';
import { COLLIDING_IDS } from '../testing/colliding-ids';
import { Prng } from '../testing/prng';

/** A seeded generator of floats in [0, 1), so a failing stream can be replayed. */
function random(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.float();
}

describe('CommandIdWindow', () => {
  it('remembers exactly the last N distinct ids', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 400, size: 'max' }),
        (capacity, stream) => {
          const window = new CommandIdWindow(capacity);
          const model: string[] = [];
          for (const n of stream) {
            const id = `cmd-${n}`;
            const fresh = !model.includes(id);
            expect(window.add(id)).toBe(fresh);
            if (fresh) {
              model.push(id);
              if (model.length > capacity) model.shift();
            }
          }
          expect(window.toArray()).toEqual(model);
          window.validate();
        },
      ),
    );
    // About 1-2.5 s here. Synchronous, so jest cannot interrupt it today; the explicit bound keeps
    // a slower machine from failing a correct run should it become asynchronous.
  }, 60_000);

  it('tells apart ids whose hashes are equal', () => {
    for (const [a, b] of COLLIDING_IDS) expect(hashString(a)).toBe(hashString(b));
    const window = new CommandIdWindow(2);
    expect(window.add('c693596')).toBe(true);
    expect(window.has('c1170850')).toBe(false);
    expect(window.add('c1170850')).toBe(true);
    expect(window.add('c693596')).toBe(false);
    expect(window.add('x')).toBe(true);
    expect(window.has('c693596')).toBe(false);
    expect(window.has('c1170850')).toBe(true);
    window.validate();
  });

  it.each([1, 2, 3, 7, 16, 100])(
    'matches a Set and a queue after every add (capacity %i)',
    (capacity) => {
      const next = random(capacity);
      const pool = [...COLLIDING_IDS.flat()];
      for (let n = 0; n < capacity * 3; n++) pool.push(`cmd-${n}`);
      const window = new CommandIdWindow(capacity);
      const present = new Set<string>();
      const queue: string[] = [];
      for (let step = 0; step < 2_000; step++) {
        const id = pool[Math.floor(next() * pool.length)];
        const fresh = !present.has(id);
        expect(window.add(id)).toBe(fresh);
        if (fresh) {
          present.add(id);
          queue.push(id);
          if (queue.length > capacity) {
            const evicted = queue.shift() as string;
            present.delete(evicted);
            expect(window.has(evicted)).toBe(false);
          }
        }
        expect(window.has(id)).toBe(true);
        const probe = pool[Math.floor(next() * pool.length)];
        expect(window.has(probe)).toBe(present.has(probe));
        expect(window.size).toBe(queue.length);
        expect(window.toArray()).toEqual(queue);
        window.validate();
      }
      for (const id of pool) expect(window.has(id)).toBe(present.has(id));
    },
  );
});
