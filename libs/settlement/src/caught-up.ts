import type { Admin, Kafka } from 'kafkajs';
import type { Queryable } from '@app/database';
import { withAdmin } from '@app/messaging';

export interface PartitionCatchUp {
  readonly partition: number;
  /** `settlement_checkpoints.last_offset` (-1 when nothing was applied). */
  readonly lastOffset: bigint;
  /** The partition's end offset as a read-committed consumer sees it. */
  readonly highWatermark: bigint;
  readonly caughtUp: boolean;
}

/**
 * Per partition of `topic` (the physical results topic): whether settlement has applied every
 * committed record, i.e. `last_offset + 1 >= high watermark`. `kafka` may be a connected admin
 * to reuse (the progress guard polls through one); a client gets a fresh admin per call. The checkpoint's last offset
 * includes the transaction markers of the batches it applied, so a drained partition compares
 * equal. (If a fetch ever ended exactly between a transaction's last record and its commit
 * marker, the partition would read as one behind until the next result arrives.)
 */
export async function settlementCatchUp(
  db: Queryable,
  kafka: Kafka | Admin,
  topic: string,
): Promise<PartitionCatchUp[]> {
  const offsets = await withAdmin(kafka, (admin) => admin.fetchTopicOffsets(topic));
  const rows = (await db.query(
    `SELECT partition, last_offset::text AS last_offset FROM settlement_checkpoints WHERE topic = $1`,
    [topic],
  )) as { partition: number; last_offset: string }[];
  const checkpoints = new Map(rows.map((row) => [row.partition, BigInt(row.last_offset)]));
  return offsets
    .map(({ partition, high }) => {
      const lastOffset = checkpoints.get(partition) ?? -1n;
      const highWatermark = BigInt(high);
      return { partition, lastOffset, highWatermark, caughtUp: lastOffset + 1n >= highWatermark };
    })
    .sort((a, b) => a.partition - b.partition);
}

/**
 * True when settlement has caught up with the result log: for every partition of `topic`, the
 * checkpoint's last applied offset + 1 >= the partition's high watermark (read committed). The
 * matching engine waits for this before restoring its book from the database.
 */
export async function settlementCaughtUp(
  db: Queryable,
  kafka: Kafka,
  topic: string,
): Promise<boolean> {
  return (await settlementCatchUp(db, kafka, topic)).every((p) => p.caughtUp);
}
