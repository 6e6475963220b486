// The first step of a takeover: make the previous leader harmless before reading anything it
// may still be writing.
import type { Kafka, Producer } from 'kafkajs';
import { createTransactionalProducer, initTransactions } from '@app/messaging';
import { cachingKeyPartitioner } from '../pipeline/shard';

/**
 * The partition count of the orders topic, checked equal to the results topic's: a market's
 * commands and results then share a partition number, so a shard owns the same partitions of
 * both topics.
 */
export async function shardTopicPartitions(
  kafka: Kafka,
  ordersTopic: string,
  resultsTopic: string,
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [ordersTopic, resultsTopic] });
    const [orders, results] = topics.map((t) => t.partitions.length);
    if (orders !== results) {
      throw new Error(`${ordersTopic} has ${orders} partitions but ${resultsTopic} has ${results}`);
    }
    return orders;
  } finally {
    await admin.disconnect();
  }
}

/**
 * The shard's transactional producer, registered with the broker: the same transactional id on
 * every node, so that this bumps its epoch, which aborts the previous leader's open transaction
 * and refuses its later sends. `adopt` receives the producer as soon as it exists, so that the
 * session closes it whatever fails afterwards.
 */
export async function fencePreviousLeader(
  kafka: Kafka,
  transactionalId: string,
  adopt: (producer: Producer) => void,
): Promise<Producer> {
  const producer = createTransactionalProducer(kafka, {
    transactionalId,
    createPartitioner: cachingKeyPartitioner,
  });
  adopt(producer);
  await producer.connect();
  await initTransactions(producer);
  return producer;
}
