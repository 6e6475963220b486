// Proves the progress tracker's rules on hand-made samples: idle is never a stall, a position
// that stands still while records wait is, after the bound, and any move restarts the clock.
import { ProgressTracker } from './progress';

const at = (nowMs: number, ends: [number, bigint][], positions: [number, bigint][]) => ({
  nowMs,
  ends: new Map(ends),
  positions: new Map(positions),
});

describe('ProgressTracker', () => {
  it('never calls an idle consumer stalled, however long nothing arrives', () => {
    const tracker = new ProgressTracker(1_000);
    for (let t = 0; t <= 60_000; t += 500) {
      const report = tracker.observe(at(t, [[0, 10n]], [[0, 10n]]));
      expect(report).toEqual({ lag: 0n, stillForMs: 0, stalledPartitions: [], stalled: false });
    }
  });

  it('calls a position that stands still with records waiting stalled once the bound has passed', () => {
    const tracker = new ProgressTracker(1_000);
    expect(tracker.observe(at(0, [[0, 15n]], [[0, 10n]]))).toMatchObject({
      lag: 5n,
      stillForMs: 0,
      stalled: false,
    });
    expect(tracker.observe(at(999, [[0, 15n]], [[0, 10n]]))).toMatchObject({
      stillForMs: 999,
      stalled: false,
    });
    expect(tracker.observe(at(1_000, [[0, 20n]], [[0, 10n]]))).toEqual({
      lag: 10n,
      stillForMs: 1_000,
      stalledPartitions: [0],
      stalled: true,
    });
  });

  it('restarts the clock when the position moves, even by one record', () => {
    const tracker = new ProgressTracker(1_000);
    tracker.observe(at(0, [[0, 100n]], [[0, 10n]]));
    expect(tracker.observe(at(900, [[0, 100n]], [[0, 11n]])).stillForMs).toBe(0);
    expect(tracker.observe(at(1_800, [[0, 100n]], [[0, 11n]]))).toMatchObject({
      stillForMs: 900,
      stalled: false,
    });
    expect(tracker.observe(at(1_900, [[0, 100n]], [[0, 11n]])).stalled).toBe(true);
  });

  it('counts the clock from when records began to wait, not from the last idle sample', () => {
    const tracker = new ProgressTracker(1_000);
    tracker.observe(at(0, [[0, 10n]], [[0, 10n]]));
    tracker.observe(at(5_000, [[0, 10n]], [[0, 10n]]));
    expect(tracker.observe(at(5_500, [[0, 11n]], [[0, 10n]])).stillForMs).toBe(500);
    expect(tracker.observe(at(6_000, [[0, 11n]], [[0, 10n]])).stalled).toBe(true);
  });

  it('judges each partition on its own: one busy partition does not hide a stuck one', () => {
    const tracker = new ProgressTracker(1_000);
    tracker.observe(
      at(
        0,
        [
          [0, 50n],
          [1, 50n],
        ],
        [
          [0, 0n],
          [1, 0n],
        ],
      ),
    );
    const report = tracker.observe(
      at(
        2_000,
        [
          [0, 90n],
          [1, 50n],
        ],
        [
          [0, 40n],
          [1, 0n],
        ],
      ),
    );
    expect(report).toEqual({ lag: 100n, stillForMs: 2_000, stalledPartitions: [1], stalled: true });
  });

  it('treats a partition whose end is unknown as having nothing waiting, and reset as a first look', () => {
    const tracker = new ProgressTracker(1_000);
    tracker.observe(at(0, [[0, 50n]], [[0, 0n]]));
    expect(tracker.observe(at(2_000, [], [[0, 0n]])).stalled).toBe(false);
    tracker.observe(at(3_000, [[0, 50n]], [[0, 0n]]));
    tracker.reset();
    expect(tracker.observe(at(4_500, [[0, 50n]], [[0, 0n]])).stalled).toBe(false);
    expect(tracker.observe(at(5_500, [[0, 50n]], [[0, 0n]])).stalled).toBe(true);
  });

  it('refuses a bound that is not positive', () => {
    expect(() => new ProgressTracker(0)).toThrow('stallAfterMs must be positive');
  });
});
