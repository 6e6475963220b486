// Pairs of distinct ids with equal hashString values, for tests of the hash tables keyed by it
// (the dedupe window, the order index): only the id comparison tells such a pair apart.
export const COLLIDING_IDS: readonly (readonly [string, string])[] = [
  ['c693596', 'c1170850'],
  ['c693597', 'c1170851'],
  ['c693594', 'c1170852'],
];
