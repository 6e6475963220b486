// The new leader restores the book from the database, so the database must first hold every
// result the log committed: settlement's checkpoint of each results partition must have reached
// the partition's last committed record.
import type { Queryable } from '@app/database';
import { SETTLEMENT_POLL_INTERVAL_MS } from '../engine.constants';

const CHECKPOINTS_SQL = `
  SELECT partition, last_offset::text AS last_offset
    FROM settlement_checkpoints
   WHERE topic = $1 AND partition = ANY($2)`;

/** Partitions whose last committed record settlement has not applied yet (none = caught up). */
export async function partitionsBehind(
  db: Queryable,
  topic: string,
  lastRecordOffsets: ReadonlyMap<number, string>,
): Promise<number[]> {
  const rows = (await db.query(CHECKPOINTS_SQL, [topic, [...lastRecordOffsets.keys()]])) as {
    partition: number;
    last_offset: string;
  }[];
  const applied = new Map(rows.map((row) => [Number(row.partition), BigInt(row.last_offset)]));
  const behind: number[] = [];
  for (const [partition, last] of lastRecordOffsets) {
    if ((applied.get(partition) ?? -1n) < BigInt(last)) behind.push(partition);
  }
  return behind;
}

/**
 * Resolves once settlement has applied every record up to `lastRecordOffsets` (per partition of
 * the results topic); throws after `timeoutMs`, or as soon as `cancelled()` says to stop.
 */
export async function waitForSettlement(
  db: Queryable,
  topic: string,
  lastRecordOffsets: ReadonlyMap<number, string>,
  timeoutMs: number,
  cancelled: () => boolean,
): Promise<void> {
  if (lastRecordOffsets.size === 0) return;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const behind = await partitionsBehind(db, topic, lastRecordOffsets);
    if (behind.length === 0) return;
    if (cancelled()) throw new Error('takeover cancelled while waiting for settlement');
    if (performance.now() >= deadline) {
      throw new Error(
        `settlement has not applied the committed results of ${topic} partitions ` +
          `${behind.join(', ')} after ${timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLEMENT_POLL_INTERVAL_MS));
  }
}
