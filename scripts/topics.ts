// Creates the exchange's topics (idempotently) on KAFKA_BROKERS under KAFKA_TOPIC_PREFIX.
// Partition counts come from the contracts in libs/messaging/src/topics.ts, overridable per
// topic with KAFKA_PARTITIONS_<TOPIC> (e.g. KAFKA_PARTITIONS_ORDERS=16 for exchange.orders).
import {
  TOPICS,
  createKafka,
  defaultTopicSpecs,
  ensureTopics,
  type LogicalTopic,
} from '@app/messaging';

function partitionOverrides(env: NodeJS.ProcessEnv): Partial<Record<LogicalTopic, number>> {
  const overrides: Partial<Record<LogicalTopic, number>> = {};
  for (const [id, topic] of Object.entries(TOPICS)) {
    const variable = `KAFKA_PARTITIONS_${id.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    const value = env[variable];
    if (value === undefined || value === '') continue;
    if (!/^\d+$/.test(value))
      throw new Error(`${variable}=${JSON.stringify(value)}: must be a positive integer`);
    overrides[topic.logical] = Number(value);
  }
  return overrides;
}

async function main(): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
  const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
  const specs = defaultTopicSpecs(partitionOverrides(process.env));
  const kafka = createKafka({ brokers, clientId: 'topics-script' });
  const names = await ensureTopics(kafka, prefix, specs);
  for (const spec of specs)
    console.log(`topic ${names[spec.logical]}: ${spec.partitions} partitions`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
