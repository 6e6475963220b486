import type { Queryable } from '@app/database';

export interface RecordlessRange {
  /** Physical name of the results topic. */
  readonly topic: string;
  readonly partition: number;
  /** The last offset of a fetched range that held no committed record (a decimal string). */
  readonly lastOffset: string;
}

/**
 * Moves a partition's checkpoint forward to `range.lastOffset` when it is behind, in one
 * statement that locks only the checkpoint row (the first lock of every settlement transaction,
 * so it keeps the lock order). For ranges a read-committed fetch returned without a single
 * committed record: records of aborted transactions (a fenced leader's batch) and transaction
 * markers. They settle nothing, but until the checkpoint covers them a quiet partition would
 * look behind the log's end for as long as no new result arrives: to the progress guard (a false
 * stall) and to the "caught up" check. Never moves a checkpoint back. Resolves to whether it
 * moved.
 */
export async function advanceCheckpoint(db: Queryable, range: RecordlessRange): Promise<boolean> {
  const rows = (await db.query(
    `INSERT INTO settlement_checkpoints (topic, partition, last_offset) VALUES ($1, $2, $3)
     ON CONFLICT (topic, partition) DO UPDATE
        SET last_offset = EXCLUDED.last_offset, updated_at = now()
      WHERE settlement_checkpoints.last_offset < EXCLUDED.last_offset
     RETURNING partition`,
    [range.topic, range.partition, range.lastOffset],
  )) as unknown[];
  return rows.length > 0;
}
