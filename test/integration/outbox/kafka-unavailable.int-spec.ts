// Proves the relay's behaviour while Kafka is unreachable: it keeps its rows (nothing deleted, nothing lost), retries with a bounded backoff instead of a tight loop, and still stops promptly; a relay whose Kafka client points at a closed port, real PostgreSQL.
import { createKafka } from '@app/messaging';
import { OUTBOX_BACKOFF_INITIAL_MS, OUTBOX_BACKOFF_MAX_MS, OutboxRelay } from '@app/outbox';
import { createTestDatabase, freePort, type TestDatabase } from '@app/testing';
import {
  collectingLogger,
  eventually,
  messages,
  outboxCount,
  writeCommitted,
} from './outbox-test-helpers';

describe('outbox relay without Kafka', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('obnokafka');
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('keeps every row, backs off, and stops promptly', async () => {
    const ids = await writeCommitted(database.dataSource, messages('nowhere.events', 'k', 5));
    const deadPort = await freePort();
    const log = collectingLogger();
    const relay = new OutboxRelay({
      databaseUrl: database.url,
      kafka: createKafka({
        brokers: [`127.0.0.1:${deadPort}`],
        clientId: 'dead',
        logLevel: 'nothing',
      }),
      logger: log,
    });
    const startedAt = performance.now();
    await relay.start();
    expect(relay.isActive()).toBe(true);
    // Until the relay has failed twice (each attempt costs kafkajs's own connection retries, a few
    // seconds), rather than for a fixed time that a slow machine may not fit one attempt into.
    const failed = () => log.entries.filter((e) => e.message === 'outbox relay round failed');
    await eventually('two failed rounds', 60_000, () => (failed().length >= 2 ? true : undefined));
    const elapsedMs = performance.now() - startedAt;
    const failures = failed();
    const delays = failures.map((e) => (e.fields as { retryInMs: number }).retryInMs);
    // The relay's delays grow, bounded; never a tight loop: no more than one failed round per
    // initial backoff delay, however long the attempts took.
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.length).toBeLessThan(10);
    expect(failures.length).toBeLessThanOrEqual(1 + elapsedMs / OUTBOX_BACKOFF_INITIAL_MS);
    expect(delays[0]).toBe(OUTBOX_BACKOFF_INITIAL_MS);
    expect(delays.every((d, i) => i === 0 || d >= delays[i - 1])).toBe(true);
    expect(Math.max(...delays)).toBeLessThanOrEqual(OUTBOX_BACKOFF_MAX_MS);
    expect(failures.every((e) => (e.fields as { stage: string }).stage === 'kafka')).toBe(true);
    expect(await outboxCount(database.dataSource)).toBe(ids.length);

    const stopping = performance.now();
    await relay.stop();
    expect(performance.now() - stopping).toBeLessThan(OUTBOX_BACKOFF_MAX_MS + 5_000);
    expect(await outboxCount(database.dataSource)).toBe(ids.length);
  });
});
