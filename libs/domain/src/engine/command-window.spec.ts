// Proves the dedupe window against models on random streams with repeats: a plain array of the
// last N ids (fast-check), and a Set plus a queue checked after every step of long seeded streams
// that collide in the table (small capacities, and ids whose 32-bit hashes are equal).
import fc from 'fast-check';
import { CommandIdWindow, hashString, windowHash } from './command-window';
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

  /** Replays `stream` through a window and through a Set plus a queue, comparing every add. */
  function replay(capacity: number, stream: readonly string[], validateEvery: number): void {
    const window = new CommandIdWindow(capacity);
    const present = new Set<string>();
    const queue: string[] = [];
    stream.forEach((id, step) => {
      const fresh = !present.has(id);
      if (window.add(id) !== fresh) {
        throw new Error(`step ${step}: add(${id}) should be ${fresh} (capacity ${capacity})`);
      }
      if (fresh) {
        present.add(id);
        queue.push(id);
        if (queue.length > capacity) present.delete(queue.shift() as string);
      }
      if (step % validateEvery === 0) window.validate();
    });
    expect(window.size).toBe(queue.length);
    expect(window.toArray()).toEqual(queue);
    window.validate();
  }

  it.each([1, 3, 1_000, 16_384])(
    'forgets ids for good past 2^16 arrivals, when arrival numbers wrap (capacity %i)',
    (capacity) => {
      // Fresh ids, each followed by the id that arrived a chosen distance ago: inside the window,
      // at its edge, and at the distances where an entry left unswept would look live again.
      const distances = [1, capacity - 1, capacity, capacity + 1, 2 ** 15, 2 ** 16 - 1, 2 ** 16];
      const fresh: string[] = [];
      const stream: string[] = [];
      for (let n = 0; n < 140_000; n++) {
        fresh.push(`w${n}`);
        stream.push(fresh[n]);
        const back = fresh[n - distances[n % distances.length]];
        if (back !== undefined) stream.push(back);
      }
      replay(capacity, stream, 9_973);
    },
    60_000,
  );

  it('finds ids that overflowed from a full bucket, and forgets them', () => {
    // 64 ids a window of 64 files in one bucket: 15 fit, the rest go on to the next buckets.
    const capacity = 64;
    const buckets = 8;
    const crowded: string[] = [];
    for (let n = 0; crowded.length < 3 * capacity; n++) {
      if ((windowHash(`k${n}`) & (buckets - 1)) === 0) crowded.push(`k${n}`);
    }
    const next = random(64);
    const stream: string[] = [];
    for (let step = 0; step < 20_000; step++) {
      // Mostly the crowded ids (a third of them in the window at a time), some spread ones.
      stream.push(
        next() < 0.9
          ? crowded[Math.floor(next() * crowded.length)]
          : `spread-${Math.floor(next() * 200)}`,
      );
    }
    replay(capacity, stream, 1);
  });
});
