import type { Admin, ITopicConfig, Kafka } from 'kafkajs';
import { MessagingError } from './messaging-error';
import { TOPIC_READY_POLL_MS, TOPIC_READY_TIMEOUT_MS } from './messaging.constants';
import { assertPartitionCount, topicName, type TopicSpec } from './topics';

/**
 * Creates the topics of `specs` under `prefix` that do not exist yet, and waits until the
 * broker's metadata shows every partition of every topic with a leader. Safe to call from
 * several processes at once. An existing topic with another partition count is an error, not
 * something to fix silently: adding partitions moves keys, which breaks per-symbol order.
 *
 * @returns the physical topic names, by logical name.
 */
export async function ensureTopics(
  client: Kafka | Admin,
  prefix: string,
  specs: readonly TopicSpec[],
  timeoutMs = TOPIC_READY_TIMEOUT_MS,
): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  for (const spec of specs) {
    assertPartitionCount(spec.logical, spec.partitions);
    names[spec.logical] = topicName(prefix, spec.logical);
  }
  await withAdmin(client, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing: ITopicConfig[] = specs
      .filter((s) => !existing.has(names[s.logical]))
      .map((s) => ({
        topic: names[s.logical],
        numPartitions: s.partitions,
        replicationFactor: -1,
        configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
      }));
    // createTopics resolves false when another process created them first; that is fine.
    if (missing.length > 0) await createTopics(admin, missing);
    await waitForTopics(admin, specs, names, timeoutMs);
  });
  return names;
}

/**
 * `admin.createTopics`, waiting for leaders. A loaded KRaft broker may answer the metadata request
 * of that wait with UNKNOWN_TOPIC_OR_PARTITION for a topic it has just created, before it has
 * applied the topic to its own metadata; kafkajs retries only LEADER_NOT_AVAILABLE there and gives
 * up. The topics were created all the same, and `waitForTopics` then polls until every partition
 * has a leader.
 */
async function createTopics(admin: Admin, topics: ITopicConfig[]): Promise<void> {
  try {
    await admin.createTopics({ topics, waitForLeaders: true });
  } catch (error) {
    if ((error as { type?: unknown }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
  }
}

async function waitForTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
  names: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = '';
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: Object.values(names) });
      const byName = new Map(topics.map((t) => [t.name, t.partitions]));
      lastProblem = '';
      for (const spec of specs) {
        const partitions = byName.get(names[spec.logical]) ?? [];
        if (partitions.length > 0 && partitions.length !== spec.partitions) {
          throw new MessagingError(
            'TOPIC_PARTITION_MISMATCH',
            `${names[spec.logical]} has ${partitions.length} partitions, the contract says ${spec.partitions}`,
          );
        }
        if (partitions.length === 0 || partitions.some((p) => p.leader < 0)) {
          lastProblem = `${names[spec.logical]} has no leader for every partition yet`;
        }
      }
      if (lastProblem === '') return;
    } catch (err) {
      if (err instanceof MessagingError) throw err;
      lastProblem = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) {
      throw new MessagingError(
        'TOPICS_NOT_READY',
        `topics not ready after ${timeoutMs} ms: ${lastProblem}`,
      );
    }
    await sleep(TOPIC_READY_POLL_MS);
  }
}

/**
 * Deletes every topic whose name starts with `prefix` (test cleanup). Refuses an empty prefix,
 * which would mean every topic on the broker.
 *
 * @returns the names of the deleted topics.
 */
export async function deleteTopicsWithPrefix(
  client: Kafka | Admin,
  prefix: string,
): Promise<string[]> {
  if (prefix.length === 0) {
    throw new MessagingError(
      'INVALID_TOPIC_NAME',
      'refusing to delete topics with an empty prefix',
    );
  }
  return withAdmin(client, async (admin) => {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    return topics;
  });
}

/** Runs `fn` with a connected admin: the given one, or a new one from `client` closed after. */
export async function withAdmin<T>(
  client: Kafka | Admin,
  fn: (admin: Admin) => Promise<T>,
): Promise<T> {
  if (!('admin' in client)) return fn(client);
  const admin = client.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
