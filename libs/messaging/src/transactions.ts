import type { Producer, RecordMetadata, TopicMessages, TopicOffsets, Transaction } from 'kafkajs';
import { isFencingError, MessagingError } from './messaging-error';

/**
 * A consumer group position: `offset` is the NEXT offset to consume in the partition, i.e. the
 * offset of the last processed record plus one (see `offsetAfter`). Kafka commits positions,
 * not processed offsets; committing the processed offset would replay that record.
 */
export interface TopicPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** The position after a processed record: `offset + 1`, as kafkajs's decimal string. */
export function offsetAfter(offset: string): string {
  if (!/^\d+$/.test(offset))
    throw new Error(`offsetAfter: ${JSON.stringify(offset)} is not an offset`);
  return (BigInt(offset) + 1n).toString();
}

/** Groups positions by topic, the shape kafkajs's sendOffsets and commitOffsets take. */
export function groupOffsetsByTopic(offsets: readonly TopicPartitionOffset[]): TopicOffsets[] {
  const byTopic = new Map<string, TopicOffsets>();
  for (const { topic, partition, offset } of offsets) {
    const entry = byTopic.get(topic) ?? { topic, partitions: [] };
    if (entry.partitions.some((p) => p.partition === partition)) {
      throw new Error(`groupOffsetsByTopic: ${topic}[${partition}] given twice`);
    }
    entry.partitions.push({ partition, offset });
    byTopic.set(topic, entry);
  }
  return [...byTopic.values()];
}

/**
 * Registers the producer's transactional id with the broker: bumps its epoch, which fences any
 * older producer with the same id, and completes (aborts) that producer's open transaction.
 * A new leader calls this once after connect() and before it consumes. kafkajs has no such
 * call; an empty transaction does it (the InitProducerId request happens at the first begin,
 * and aborting an empty transaction sends nothing).
 */
export async function initTransactions(producer: Producer): Promise<void> {
  const tx = await producer.transaction();
  await tx.abort();
}

/**
 * Runs `work` inside one Kafka transaction: commits if it resolves, aborts if it (or the commit)
 * throws, then rethrows. Records sent and offsets registered in `work` become visible together
 * or not at all.
 *
 * Throws `MessagingError` PRODUCER_FENCED when a newer producer with the same transactional id
 * exists: stop at once and discard this producer. Throws TRANSACTION_ABORT_FAILED when the abort
 * itself failed: the producer is stuck in kafkajs, discard it; a new one aborts the leftover
 * transaction. Any other error of `work` is rethrown unchanged after a successful abort.
 */
export async function runInTransaction<T>(
  producer: Producer,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  const tx = await producer.transaction();
  try {
    const result = await work(tx);
    await tx.commit();
    return result;
  } catch (err) {
    if (isFencingError(err)) {
      throw new MessagingError(
        'PRODUCER_FENCED',
        'producer fenced by a newer producer with the same transactional id',
        { cause: err },
      );
    }
    try {
      if (tx.isActive()) await tx.abort();
    } catch (abortErr) {
      const code = isFencingError(abortErr) ? 'PRODUCER_FENCED' : 'TRANSACTION_ABORT_FAILED';
      throw new MessagingError(
        code,
        `transaction failed and its abort failed too: ${String(abortErr)}`,
        { cause: err },
      );
    }
    throw err;
  }
}

export interface TransactionalBatch {
  /** The group whose positions commit with the records: the consumer group of the input. */
  readonly consumerGroupId: string;
  /** Positions after the processed input records (`offsetAfter(lastProcessed)`), per partition. */
  readonly nextOffsets: readonly TopicPartitionOffset[];
  /** The output records of the batch, by topic. */
  readonly records: readonly TopicMessages[];
}

/**
 * The consume-process-produce step of the matching engine: publishes `records` and commits the
 * input positions `nextOffsets` for `consumerGroupId` in one transaction. After it resolves, a
 * read_committed consumer sees the records and the group resumes after the input; if it throws,
 * neither happened (see `runInTransaction` for the error codes). The consumer must run with
 * autoCommit off, or it would commit positions outside the transaction.
 */
export async function runTransactionalBatch(
  producer: Producer,
  batch: TransactionalBatch,
): Promise<RecordMetadata[]> {
  if (batch.records.length === 0 && batch.nextOffsets.length === 0) {
    throw new Error('runTransactionalBatch: nothing to send and no offsets to commit');
  }
  const topics = groupOffsetsByTopic(batch.nextOffsets);
  return runInTransaction(producer, async (tx) => {
    const sent =
      batch.records.length > 0 ? await tx.sendBatch({ topicMessages: [...batch.records] }) : [];
    if (topics.length > 0) await tx.sendOffsets({ consumerGroupId: batch.consumerGroupId, topics });
    return sent;
  });
}
