// Proves at-least-once across kill -9: a relay process SIGKILLs itself (test-only hook) after Kafka acknowledged a batch and before deleting it; a restarted relay publishes every committed row, and the only duplicates are exactly that batch; real processes, PostgreSQL and Kafka.
import {
  TopicCollector,
  createOutboxFixture,
  eventually,
  firstCopiesByKey,
  inIdOrderPerKey,
  messages,
  outboxCount,
  writeCommitted,
  type OutboxFixture,
} from './outbox-test-helpers';
import { RelayProcess } from './relay-process';

const ROWS = 100;
const BATCH_ROWS = 10;
const KILLED_BATCH = 3;

describe('outbox relay killed between acknowledgement and delete', () => {
  let fixture: OutboxFixture;
  let collector: TopicCollector;
  const processes: RelayProcess[] = [];

  beforeAll(async () => {
    fixture = await createOutboxFixture('obcrash');
    collector = new TopicCollector(fixture.topics.kafka, `${fixture.runId}-collector`);
    await collector.start([fixture.topic]);
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await collector?.stop();
    await fixture?.cleanup();
  });

  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: fixture.database.url,
    KAFKA_BROKERS: fixture.brokers.join(','),
    OUTBOX_BATCH_ROWS_MAX: String(BATCH_ROWS),
    ...extra,
  });

  it('loses no row and duplicates only the batch in the window', async () => {
    const { dataSource } = fixture.database;
    const ids: string[] = [];
    for (let t = 0; t < 4; t += 1) {
      ids.push(...(await writeCommitted(dataSource, messages(fixture.topic, `tx${t}`, ROWS / 4))));
    }

    const doomed = await RelayProcess.start(
      env({ OUTBOX_TEST_SIGKILL_AFTER_ACKED_BATCHES: String(KILLED_BATCH) }),
    );
    processes.push(doomed);
    const exit = await doomed.exited;
    expect(exit.signal).toBe('SIGKILL');
    // Batches are normally 10 rows; a write transaction elsewhere on the server may cut one
    // short (see the snapshot guard), so the test reads the batches the relay reported.
    const acked = doomed.events.filter((e) => e.event === 'acked').map((e) => e.ids as string[]);
    expect(acked).toHaveLength(KILLED_BATCH);
    const killedBatch = acked[KILLED_BATCH - 1];
    const deletedRows = acked.slice(0, -1).flat();
    expect([...deletedRows, ...killedBatch]).toEqual(
      ids.slice(0, deletedRows.length + killedBatch.length),
    );

    // Acknowledged by Kafka, but still in the outbox: the crash came before the delete.
    await collector.waitForIds([...deletedRows, ...killedBatch]);
    expect(await outboxCount(dataSource)).toBe(ROWS - deletedRows.length);

    const restarted = await RelayProcess.start(env());
    processes.push(restarted);
    await collector.waitForIds(ids);
    await eventually('the outbox to be empty', 10_000, async () =>
      (await outboxCount(dataSource)) === 0 ? true : undefined,
    );

    const distinct = collector.distinctIds();
    expect(distinct).toEqual(new Set(ids));
    const counts = new Map<string, number>();
    for (const r of collector.records) counts.set(r.outboxId, (counts.get(r.outboxId) ?? 0) + 1);
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    console.log(
      `outbox crash: ${collector.records.length} records for ${distinct.size} rows, ` +
        `${duplicated.length} duplicated`,
    );
    expect(duplicated.sort()).toEqual([...killedBatch].sort());
    expect(collector.records).toHaveLength(ROWS + killedBatch.length);
    expect(inIdOrderPerKey(collector.records)).toBe(true);
    expect([...firstCopiesByKey(collector.records).values()].flat()).toHaveLength(ROWS);
  });
});
