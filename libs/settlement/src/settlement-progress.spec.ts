// Proves the stall bookkeeping without Kafka or a database: lag counts from the checkpoint to the read-committed end, a moving checkpoint is progress, a lagging one that stands still for the bound is stalled (also across failed polls), and each stall's start and end is announced once.
import { SettlementProgress, stallReason, type PartitionPosition } from './settlement-progress';

const BOUND_MS = 15_000;

function at(partition: number, lastOffset: number, highWatermark: number): PartitionPosition {
  return { partition, lastOffset: BigInt(lastOffset), highWatermark: BigInt(highWatermark) };
}

describe('SettlementProgress', () => {
  it('knows nothing and reports no stall before the first poll', () => {
    const progress = new SettlementProgress(BOUND_MS);
    const report = progress.report(1_000_000);
    expect(report).toMatchObject({ polled: false, partitions: 0, lagOffsets: 0, stalled: [] });
    expect(stallReason(report)).toBeUndefined();
  });

  it('counts a checkpoint at the end (markers included) or past it as caught up', () => {
    const progress = new SettlementProgress(BOUND_MS);
    // Nothing in the log, an empty checkpoint; a drained partition whose checkpoint covers the
    // trailing commit marker; a checkpoint past an end that an open transaction holds back.
    progress.observe([at(0, -1, 0), at(1, 9, 10), at(2, 12, 11)], 0);
    const report = progress.report(60_000);
    expect(report).toMatchObject({ polled: true, partitions: 3, lagOffsets: 0, lagging: [] });
    expect(progress.partitions(60_000).map((p) => p.secondsSinceProgress)).toEqual([0, 0, 0]);
  });

  it('reports lag at once and a stall only after the bound without progress', () => {
    const progress = new SettlementProgress(BOUND_MS);
    progress.observe([at(0, 9, 10)], 0);
    progress.observe([at(0, 9, 13)], 1_000);
    expect(progress.report(1_000).lagging).toEqual([
      { partition: 0, lagOffsets: 3, secondsSinceProgress: 0, stalled: false },
    ]);
    progress.observe([at(0, 9, 14)], 15_999);
    expect(progress.report(15_999)).toMatchObject({ lagOffsets: 4, stalled: [] });
    const report = progress.report(16_000);
    expect(report.stalled).toEqual([
      { partition: 0, lagOffsets: 4, secondsSinceProgress: 15, stalled: true },
    ]);
    expect(stallReason(report)).toBe(
      'settlement stalled: no progress on partition 0 (4 offsets behind, 15 s) ' +
        'for longer than the 15 s bound',
    );
  });

  it('counts a moving checkpoint as progress even while the lag grows', () => {
    const progress = new SettlementProgress(BOUND_MS);
    for (let second = 0; second <= 60; second++) {
      progress.observe([at(0, second * 10, second * 20 + 100)], second * 1_000);
    }
    const [p] = progress.partitions(60_500);
    expect(p).toMatchObject({ lagOffsets: 699, stalled: false });
    expect(p.secondsSinceProgress).toBe(0.5);
  });

  it('starts the clock when lag appears, not when the checkpoint last moved', () => {
    const progress = new SettlementProgress(BOUND_MS);
    progress.observe([at(0, 9, 10)], 0);
    // Quiet for an hour, then a result arrives: it has waited 0 s, not an hour.
    progress.observe([at(0, 9, 10)], 3_600_000);
    progress.observe([at(0, 9, 11)], 3_600_500);
    expect(progress.report(3_601_000).lagging[0]).toMatchObject({
      secondsSinceProgress: 0.5,
      stalled: false,
    });
  });

  it('keeps the clock running while polls fail (no observation is no progress)', () => {
    const progress = new SettlementProgress(BOUND_MS);
    progress.observe([at(0, 4, 7)], 0);
    // No observe() calls for 20 s: the broker is down, say.
    expect(progress.report(20_000).stalled).toEqual([
      { partition: 0, lagOffsets: 2, secondsSinceProgress: 20, stalled: true },
    ]);
  });

  it('judges partitions apart and names every stalled one', () => {
    const progress = new SettlementProgress(BOUND_MS);
    progress.observe([at(0, 4, 7), at(1, 0, 1), at(2, 3, 9)], 0);
    progress.observe([at(0, 6, 8), at(1, 0, 1), at(2, 3, 9)], 10_000);
    const report = progress.report(20_000);
    expect(report.lagging.map((p) => [p.partition, p.stalled])).toEqual([
      [0, false],
      [2, true],
    ]);
    expect(report.lagOffsets).toBe(1 + 5);
    expect(stallReason(report)).toBe(
      'settlement stalled: no progress on partition 2 (5 offsets behind, 20 s) ' +
        'for longer than the 15 s bound',
    );
    progress.observe([at(0, 6, 30), at(1, 0, 1), at(2, 3, 9)], 30_000);
    expect(stallReason(progress.report(30_000))).toBe(
      'settlement stalled: no progress on partition 0 (23 offsets behind, 20 s), ' +
        'partition 2 (5 offsets behind, 30 s) for longer than the 15 s bound',
    );
  });

  it('announces the start and the end of each stall once', () => {
    const progress = new SettlementProgress(BOUND_MS);
    progress.observe([at(0, 4, 7), at(1, 0, 1)], 0);
    expect(progress.transitions(1_000)).toEqual({ began: [], ended: [] });
    const { began } = progress.transitions(15_000);
    expect(began).toEqual([
      { partition: 0, lagOffsets: 2, secondsSinceProgress: 15, stalled: true },
    ]);
    for (let t = 16_000; t < 30_000; t += 1_000) {
      progress.observe([at(0, 4, 7 + t / 1_000), at(1, 0, 1)], t);
      expect(progress.transitions(t)).toEqual({ began: [], ended: [] });
    }
    progress.observe([at(0, 50, 51), at(1, 0, 1)], 30_000);
    expect(progress.transitions(30_000)).toEqual({ began: [], ended: [0] });
    expect(progress.transitions(31_000)).toEqual({ began: [], ended: [] });
    // A new stall of the same partition is announced again.
    progress.observe([at(0, 50, 52), at(1, 0, 1)], 40_000);
    expect(progress.transitions(55_000).began.map((p) => p.partition)).toEqual([0]);
  });

  it('ends the stall of a partition the log no longer has', () => {
    const progress = new SettlementProgress(BOUND_MS);
    progress.observe([at(0, 4, 7), at(1, 4, 7)], 0);
    expect(progress.transitions(15_000).began.map((p) => p.partition)).toEqual([0, 1]);
    progress.observe([at(0, 4, 7)], 16_000);
    expect(progress.transitions(16_000)).toEqual({ began: [], ended: [1] });
    expect(progress.report(16_000).partitions).toBe(1);
  });

  it('refuses a bound that is not a positive number of milliseconds', () => {
    expect(() => new SettlementProgress(0)).toThrow('stall bound');
    expect(() => new SettlementProgress(1.5)).toThrow('stall bound');
  });
});
