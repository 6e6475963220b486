import type { Consumer, ConsumerConfig, Kafka } from 'kafkajs';

export type ReadCommittedConsumerOptions = Omit<ConsumerConfig, 'readUncommitted'> & {
  readonly groupId: string;
};

/**
 * A consumer in `groupId` that sees only committed records: records of aborted transactions and
 * of transactions still open are never delivered (isolation level read_committed). This is
 * kafkajs's default too; it is spelled out so that nobody flips it by accident. Consumers of
 * engine output must use this, or they would act on results the engine took back.
 */
export function createReadCommittedConsumer(
  kafka: Kafka,
  options: ReadCommittedConsumerOptions,
): Consumer {
  if (options.groupId.length === 0) throw new Error('groupId must not be empty');
  return kafka.consumer({ allowAutoTopicCreation: false, ...options, readUncommitted: false });
}
