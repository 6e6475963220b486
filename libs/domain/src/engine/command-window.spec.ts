// Proves the dedupe window against a model (a plain array of the last N ids) on random streams
// with repeats (fast-check): membership, eviction of the oldest, and table consistency.
import fc from 'fast-check';
import { CommandIdWindow } from './command-window';

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
});
