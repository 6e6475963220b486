// Proves that LISTEN/NOTIFY, not the poll, wakes an idle relay: with a 30 s poll interval a notified row is published within a third of it (typically milliseconds), while a row inserted without notifying waits; a real relay, PostgreSQL and Kafka.
import { OutboxRelay } from '@app/outbox';
import {
  TopicCollector,
  collectingLogger,
  createOutboxFixture,
  messages,
  sleep,
  writeCommitted,
  type OutboxFixture,
} from './outbox-test-helpers';

/** Long, so that a row the poll picked up instead of NOTIFY stands out. */
const POLL_INTERVAL_MS = 30_000;
/**
 * Bound on commit-to-consumer latency of a notified row, relative to the poll: the design target
 * is milliseconds, and a row that waited for the poll instead arrives most of an interval later
 * (each write here follows the relay's previous wake-up by well under a second). A third of the
 * interval leaves a busy machine seconds of room and still tells the two apart.
 */
const NOTIFIED_PUBLISH_MAX_MS = POLL_INTERVAL_MS / 3;

describe('outbox relay wake-up', () => {
  let fixture: OutboxFixture;
  let relay: OutboxRelay;
  let collector: TopicCollector;

  beforeAll(async () => {
    fixture = await createOutboxFixture('obnotify');
    collector = new TopicCollector(fixture.topics.kafka, `${fixture.runId}-collector`);
    await collector.start([fixture.topic]);
    relay = new OutboxRelay({
      databaseUrl: fixture.database.url,
      kafka: fixture.topics.kafka,
      pollIntervalMs: POLL_INTERVAL_MS,
      logger: collectingLogger(),
    });
    await relay.start();
    expect(relay.isActive()).toBe(true);
    // The first round found nothing: the relay now sleeps for the full poll interval.
    await sleep(200);
  });

  afterAll(async () => {
    await relay?.stop();
    await collector?.stop();
    await fixture?.cleanup();
  });

  it('does not see a row inserted without NOTIFY until the next wake-up', async () => {
    const [row] = await fixture.database.dataSource.query(
      `INSERT INTO outbox (topic, key, payload, headers)
       VALUES ($1, 'BTC-USDT', convert_to('{"silent":true}', 'UTF8'), '{}') RETURNING id::text AS id`,
      [fixture.topic],
    );
    await sleep(1_500);
    expect(collector.distinctIds().has(row.id)).toBe(false);

    // A notified write wakes the relay, which then takes every committed row, the silent one too.
    const writtenAt = performance.now();
    const ids = await writeCommitted(
      fixture.database.dataSource,
      messages(fixture.topic, 'loud', 1),
    );
    await collector.waitForIds([row.id, ...ids], NOTIFIED_PUBLISH_MAX_MS);
    expect(collector.records.map((r) => r.outboxId)).toEqual([row.id, ...ids]);
    console.log(
      `outbox notify: published ${(performance.now() - writtenAt).toFixed(0)} ms after commit`,
    );
  });

  it('publishes each notified row well before the poll interval', async () => {
    const latenciesMs: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      await sleep(300);
      const writtenAt = performance.now();
      const [id] = await writeCommitted(
        fixture.database.dataSource,
        messages(fixture.topic, `n${i}`, 1),
      );
      await collector.waitForIds([id], NOTIFIED_PUBLISH_MAX_MS);
      const record = collector.records.find((r) => r.outboxId === id);
      latenciesMs.push((record?.receivedAt ?? Infinity) - writtenAt);
    }
    console.log(
      `outbox notify: commit to consumer ${latenciesMs.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    );
    expect(Math.max(...latenciesMs)).toBeLessThan(NOTIFIED_PUBLISH_MAX_MS);
  });
});
