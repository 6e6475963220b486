import type { Kafka } from 'kafkajs';
import {
  createKafka,
  defaultTopicSpecs,
  deleteTopicsWithPrefix,
  ensureTopics,
  withAdmin,
  type KafkaLogLevel,
  type TopicSpec,
} from '@app/messaging';

/** Brokers of the shared test broker: KAFKA_BROKERS (comma-separated), else 127.0.0.1:9092. */
export function kafkaBrokersForTests(): string[] {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is set but lists no broker');
  return brokers;
}

export interface TestTopics {
  /** `<runId>.`: pass it as KAFKA_TOPIC_PREFIX, or to `topicName(prefix, logical)`. */
  readonly prefix: string;
  /** Physical topic names by logical name. */
  readonly names: Readonly<Record<string, string>>;
  /** A client for the test's own producers, consumers and admin calls. */
  readonly kafka: Kafka;
  /** Deletes the run's topics and the consumer groups whose id starts with the run id. */
  cleanup(): Promise<void>;
}

/**
 * Creates `specs` (all exchange topics by default, 8 partitions each) under a prefix unique to
 * `runId` on the shared broker, so that runs never see each other's records. Name consumer
 * groups and transactional ids `${runId}...` so that cleanup finds the groups.
 */
export async function createTestTopics(
  runId: string,
  specs: readonly TopicSpec[] = defaultTopicSpecs(),
  logLevel: KafkaLogLevel = 'error',
): Promise<TestTopics> {
  const prefix = `${runId}.`;
  const kafka = createKafka({ brokers: kafkaBrokersForTests(), clientId: runId, logLevel });
  const names = await ensureTopics(kafka, prefix, specs);
  return {
    prefix,
    names,
    kafka,
    cleanup: async () => {
      await deleteTopicsWithPrefix(kafka, prefix);
      await deleteGroupsWithPrefix(kafka, runId);
    },
  };
}

/** Best effort: a group that still has members cannot be deleted, and is left to expire. */
async function deleteGroupsWithPrefix(kafka: Kafka, runId: string): Promise<void> {
  await withAdmin(kafka, async (admin) => {
    const { groups } = await admin.listGroups();
    const ours = groups.map((g) => g.groupId).filter((id) => id.startsWith(runId));
    if (ours.length > 0) await admin.deleteGroups(ours).catch(() => undefined);
  });
}
