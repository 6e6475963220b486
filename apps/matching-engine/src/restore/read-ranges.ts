// Reads fixed offset ranges of a topic's partitions once, read committed: the building block of
// the takeover's tail read of the results log and of the standby's snapshot read.
import type { Kafka, KafkaMessage } from 'kafkajs';
import { createReadCommittedConsumer } from '@app/messaging';
import { RESTORE_TAIL_READ_TIMEOUT_MS } from '../engine.constants';

/** Offsets [start, end) of one partition. */
export interface OffsetRange {
  readonly start: bigint;
  readonly end: bigint;
}

/**
 * Hands every committed record of `ranges` to `onRecord`, in offset order per partition, and
 * resolves once each range's end is reached (markers and aborted records count as reached);
 * throws after RESTORE_TAIL_READ_TIMEOUT_MS. The consumer's group (`groupId`, used once) is
 * deleted afterwards. A range's end must already be stable or bounded by a transaction in flight.
 */
export async function readCommittedRanges(
  kafka: Kafka,
  topic: string,
  ranges: ReadonlyMap<number, OffsetRange>,
  groupId: string,
  onRecord: (partition: number, message: KafkaMessage) => void,
): Promise<void> {
  const pending = new Set([...ranges].filter(([, r]) => r.end > r.start).map(([p]) => p));
  if (pending.size === 0) return;
  const consumer = createReadCommittedConsumer(kafka, { groupId });
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  // Fires for every fetched batch, also one holding only control records or aborted ones.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const range = ranges.get(payload.partition);
    if (range !== undefined && BigInt(payload.lastOffset) >= range.end - 1n)
      pending.delete(payload.partition);
    if (pending.size === 0) finish();
  });
  const timer = setTimeout(finish, RESTORE_TAIL_READ_TIMEOUT_MS);
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const range = ranges.get(batch.partition);
        if (range === undefined) {
          // Another shard's partition (the consumer is handed the whole topic): stop fetching it.
          consumer.pause([{ topic, partitions: [batch.partition] }]);
          return;
        }
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          if (offset >= range.start && offset < range.end) onRecord(batch.partition, message);
        }
      },
    });
    for (const partition of pending)
      consumer.seek({
        topic,
        partition,
        offset: (ranges.get(partition) as OffsetRange).start.toString(),
      });
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
  if (pending.size > 0) {
    throw new Error(`reading ${topic} timed out on partitions ${[...pending].join(', ')}`);
  }
}
