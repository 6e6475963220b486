// Proves the one seeded generator of tests and benches replays: the same seed gives the same
// floats, in [0, 1), as the Prng it wraps, and another seed gives others.
import { Prng, seededFloats } from './prng';

describe('seededFloats', () => {
  it('replays the Prng of the same seed, in [0, 1)', () => {
    const random = seededFloats(42);
    const again = seededFloats(42);
    const prng = new Prng(42);
    const floats = Array.from({ length: 1_000 }, () => random());
    expect(floats).toEqual(Array.from({ length: 1_000 }, () => again()));
    expect(floats).toEqual(Array.from({ length: 1_000 }, () => prng.float()));
    expect(floats.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seededFloats(43)()).not.toBe(seededFloats(42)());
  });
});
