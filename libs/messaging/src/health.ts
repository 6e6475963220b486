import type { Kafka } from 'kafkajs';
import { MessagingError } from './messaging-error';
import { KAFKA_HEALTH_TIMEOUT_MS } from './messaging.constants';

export interface KafkaClusterInfo {
  readonly clusterId: string;
  readonly controllerId: number | null;
  readonly brokerCount: number;
}

/**
 * Asks the cluster to describe itself through a fresh admin connection with no retries. Resolves
 * with what it said, or rejects with `MessagingError` KAFKA_UNAVAILABLE within `timeoutMs`
 * (default 2 s). For readiness probes: it proves a broker answers requests, not just a socket.
 */
export async function checkKafka(
  kafka: Kafka,
  timeoutMs = KAFKA_HEALTH_TIMEOUT_MS,
): Promise<KafkaClusterInfo> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new MessagingError('KAFKA_UNAVAILABLE', `Kafka did not answer within ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
  });
  const probe = (async () => {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('the cluster lists no live brokers');
    return {
      clusterId: cluster.clusterId,
      controllerId: cluster.controller,
      brokerCount: cluster.brokers.length,
    };
  })();
  try {
    return await Promise.race([probe, timeout]);
  } catch (err) {
    if (err instanceof MessagingError) throw err;
    throw new MessagingError('KAFKA_UNAVAILABLE', `Kafka health check failed: ${String(err)}`, {
      cause: err,
    });
  } finally {
    clearTimeout(timer);
    probe.catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

/** `checkKafka` in the `{ name, check() }` shape the platform's readiness probe takes. */
export function kafkaCheck(kafka: Kafka, timeoutMs = KAFKA_HEALTH_TIMEOUT_MS) {
  return {
    name: 'kafka',
    check: async (): Promise<void> => {
      await checkKafka(kafka, timeoutMs);
    },
  };
}
