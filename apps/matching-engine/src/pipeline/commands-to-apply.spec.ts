// Proves which fetched records a leader applies given its committed position: records below it
// are skipped (applied already), the rest must start exactly at it, and a fetch that starts past
// it is a gap, never applied.
import { commandsToApply } from './commands-to-apply';

const records = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ offset: String(from + i) }));

describe('commandsToApply', () => {
  it('applies a fetch that starts at the position as it is', () => {
    const fetched = records(10, 14);
    expect(commandsToApply(fetched, 10n)).toBe(fetched);
  });

  it('skips records below the position (a fetch from before a seek or a rejoin)', () => {
    expect(commandsToApply(records(0, 14), 12n)).toEqual(records(12, 14));
  });

  it('returns nothing when every record is below the position', () => {
    expect(commandsToApply(records(0, 999), 5_000n)).toEqual([]);
    expect(commandsToApply([], 5n)).toEqual([]);
  });

  it('refuses a fetch that starts past the position: applying it would skip commands', () => {
    expect(commandsToApply(records(11, 14), 10n)).toBe('gap');
    expect(commandsToApply(records(0, 14), 15n)).toEqual([]);
  });
});
