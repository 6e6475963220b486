// Proves the cold restore refills the dedupe window from every partition of the shard: a packed
// results tail can hold far more commandIds than a partition's share of the window, and taking
// the newest overall would leave the first partitions with none (their redelivered commands would
// then be matched twice).
import type { PartitionTail } from '../restore/read-results-tail';
import { recentCommandIds } from './cold-restore';

const tail = (partition: number, count: number): PartitionTail => ({
  partition,
  lastRecordOffset: String(count),
  checkpoint: undefined,
  commandIds: Array.from({ length: count }, (_, i) => `p${partition}-${i}`),
  inputOffset: undefined,
});

describe('recentCommandIds', () => {
  it('keeps the newest share of every partition', () => {
    const ids = recentCommandIds([tail(0, 20_000), tail(1, 20_000)], 8_192);
    expect(ids).toHaveLength(16_384);
    expect(ids).toContain('p0-19999');
    expect(ids).toContain('p0-11808');
    expect(ids).not.toContain('p0-11807');
    expect(ids).toContain('p1-19999');
  });

  it('keeps everything when the tails are within their shares', () => {
    expect(recentCommandIds([tail(0, 3), tail(1, 2)], 8_192)).toEqual([
      'p0-0',
      'p0-1',
      'p0-2',
      'p1-0',
      'p1-1',
    ]);
  });
});
