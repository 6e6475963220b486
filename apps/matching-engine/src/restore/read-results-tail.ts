// Reads the newest committed records of the engine's results partitions: the last checkpoint
// of each partition, the commandIds of the newest results (to refill the dedupe window) and the
// offset of the last committed result (what settlement must have applied before the restore).
import type { Kafka } from 'kafkajs';
import {
  ENGINE_RESULT_HEADERS,
  decodeCheckpoint,
  engineResultCommandIds,
  readHeader,
  type PartitionCheckpoint,
} from '@app/messaging';
import { RESTORE_TAIL_RECORDS_MIN } from '../engine.constants';
import { readCommittedRanges } from './read-ranges';

export interface PartitionTail {
  readonly partition: number;
  /** Offset of the last committed record, or undefined when the partition has none. */
  readonly lastRecordOffset: string | undefined;
  /** The newest checkpoint header, or undefined when no committed record carries one. */
  readonly checkpoint: PartitionCheckpoint | undefined;
  /** commandIds of the records read, oldest first. */
  readonly commandIds: string[];
  /** The newest ENGINE_RESULT_HEADERS.inputOffset: the next command of this partition when it was written. */
  readonly inputOffset: bigint | undefined;
}

interface Progress {
  start: bigint;
  end: bigint;
  lastRecordOffset: string | undefined;
  checkpoint: PartitionCheckpoint | undefined;
  commandIds: string[];
  inputOffset: bigint | undefined;
}

/**
 * Reads the newest records of `partitions` of `topic` up to the end, read committed: at first
 * RESTORE_TAIL_RECORDS_MIN records each, widened fourfold for a partition whose window holds no
 * committed checkpoint (only aborted transactions, say) or fewer than `commandsPerPartition`
 * commandIds (a record may pack many results, or hold one), until it does or reaches the start
 * of the log. The producer of these partitions must already be fenced (initTransactions), so
 * the end no longer moves.
 */
export async function readResultsTail(
  kafka: Kafka,
  topic: string,
  partitions: readonly number[],
  commandsPerPartition: number,
  groupId: string,
): Promise<PartitionTail[]> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: { partition: number; high: string; low: string }[];
  try {
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const tails = new Map<number, PartitionTail>();
  let window = BigInt(RESTORE_TAIL_RECORDS_MIN);
  let pending = partitions;
  while (pending.length > 0) {
    const progress = new Map<number, Progress>();
    for (const partition of pending) {
      const end = ends.find((e) => e.partition === partition);
      if (end === undefined) throw new Error(`${topic} has no partition ${partition}`);
      const high = BigInt(end.high);
      const low = BigInt(end.low);
      const start = high - window > low ? high - window : low;
      progress.set(partition, {
        start,
        end: high,
        lastRecordOffset: undefined,
        checkpoint: undefined,
        commandIds: [],
        inputOffset: undefined,
      });
    }
    await readCommittedRanges(kafka, topic, progress, `${groupId}-${window}`, (partition, m) => {
      const p = progress.get(partition) as Progress;
      p.lastRecordOffset = m.offset;
      if (m.value !== null)
        for (const commandId of engineResultCommandIds(m.value)) p.commandIds.push(commandId);
      const checkpoint = readHeader(m.headers, ENGINE_RESULT_HEADERS.checkpoint);
      if (checkpoint !== undefined) p.checkpoint = decodeCheckpoint(checkpoint);
      const inputOffset = readHeader(m.headers, ENGINE_RESULT_HEADERS.inputOffset);
      if (inputOffset !== undefined && /^\d+$/.test(inputOffset))
        p.inputOffset = BigInt(inputOffset);
    });
    const retry: number[] = [];
    for (const [partition, p] of progress) {
      const low = BigInt(ends.find((e) => e.partition === partition)?.low ?? '0');
      const short = p.checkpoint === undefined || p.commandIds.length < commandsPerPartition;
      if (short && p.start > low) retry.push(partition);
      else
        tails.set(partition, {
          partition,
          lastRecordOffset: p.lastRecordOffset,
          checkpoint: p.checkpoint,
          commandIds: p.commandIds,
          inputOffset: p.inputOffset,
        });
    }
    pending = retry;
    window *= 4n;
  }
  return partitions.map((p) => tails.get(p) as PartitionTail);
}
