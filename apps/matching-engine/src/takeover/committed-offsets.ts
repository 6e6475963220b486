// Where a new leader resumes: the shard group's committed offsets, final once the previous
// leader's producer is fenced.
import type { Kafka } from 'kafkajs';
import type { Logger } from '@app/observability';
import { shardCommittedOffsets } from '../pipeline/shard';
import type { PartitionTail } from '../restore/read-results-tail';

/**
 * The shard group's committed offsets of the orders topic; where one is gone (expired), the
 * input offset the results log recorded in the same transaction, so that nothing is applied
 * twice.
 */
export async function readCommittedOffsets(
  kafka: Kafka,
  groupId: string,
  ordersTopic: string,
  partitions: readonly number[],
  tails: readonly PartitionTail[],
  logger: Logger,
): Promise<Map<number, bigint>> {
  const missing = new Set<number>();
  const committed = await shardCommittedOffsets(kafka, groupId, ordersTopic, partitions, missing);
  for (const partition of missing) {
    const logged = tails.find((t) => t.partition === partition)?.inputOffset;
    if (logged === undefined) continue;
    logger.warn(
      { partition, inputOffset: logged.toString() },
      'the shard group has no committed offset; resuming from the input offset of the results log',
    );
    committed.set(partition, logged);
  }
  return committed;
}
