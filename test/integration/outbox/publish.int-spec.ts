// Proves that committed outbox rows reach Kafka exactly as written (topic, key, bytes, headers) in id order per key and leave the table, that rolled-back rows never do, and that a batch-ingestion-sized write is one fast statement; a real relay, PostgreSQL and Kafka.
import { STATEMENT_TIMEOUT_MS_DEFAULT } from '@app/database';
import { runWithRequestId } from '@app/observability';
import { OutboxRelay, writeOutbox, type OutboxMessage } from '@app/outbox';
import {
  EVENTS,
  TopicCollector,
  collectingLogger,
  createOutboxFixture,
  eventually,
  inIdOrderPerKey,
  messages,
  outboxCount,
  writeCommitted,
  type OutboxFixture,
} from './outbox-test-helpers';

describe('outbox write and relay', () => {
  let fixture: OutboxFixture;
  let relay: OutboxRelay;
  let collector: TopicCollector;
  let other: string;
  const log = collectingLogger();

  beforeAll(async () => {
    fixture = await createOutboxFixture('obpub');
    other = fixture.topics.names[`${EVENTS}.other`];
    collector = new TopicCollector(fixture.topics.kafka, `${fixture.runId}-collector`);
    await collector.start([fixture.topic, other]);
    relay = new OutboxRelay({
      databaseUrl: fixture.database.url,
      kafka: fixture.topics.kafka,
      batchRowsMax: 50,
      logger: log,
    });
    await relay.start();
  });

  afterAll(async () => {
    await relay?.stop();
    expect(log.entries.filter((e) => e.level !== 'info')).toEqual([]);
    await collector?.stop();
    await fixture?.cleanup();
  });

  it('publishes committed rows as written, in id order per key, and deletes them', async () => {
    const written: OutboxMessage[] = [
      { topic: fixture.topic, key: 'BTC-USDT', payload: { side: 'BUY', n: 1 }, commandId: 'c-1' },
      {
        topic: other,
        key: 'alice',
        payload: Buffer.from([0, 1, 2, 254, 255]),
        commandId: 'c-2',
        headers: { 'x-extra': 'yes' },
      },
      { topic: fixture.topic, key: null, payload: { keyless: true } },
      ...messages(fixture.topic, 'bulk', 120),
    ];
    const ids = await runWithRequestId('req-publish-1', () =>
      fixture.database.dataSource.transaction((manager) => writeOutbox(manager, written)),
    );
    // A second transaction through a query runner, keys interleaved with the first.
    const runner = fixture.database.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    const moreIds = await writeOutbox(runner, messages(fixture.topic, 'runner', 30));
    await runner.commitTransaction();
    await runner.release();

    await collector.waitForIds([...ids, ...moreIds]);
    const byId = new Map(collector.records.map((r) => [r.outboxId, r]));
    for (const [index, message] of written.entries()) {
      const record = byId.get(ids[index]);
      const expectedHeaders: Record<string, string> = {
        'x-schema-version': '1',
        'x-request-id': 'req-publish-1',
        'x-outbox-id': ids[index],
        ...(message.commandId === undefined ? {} : { 'x-command-id': message.commandId }),
        ...(message.headers ?? {}),
      };
      expect(record).toMatchObject({ topic: message.topic, key: message.key });
      expect(record?.headers).toEqual(expectedHeaders);
      const bytes = Buffer.isBuffer(message.payload)
        ? message.payload
        : Buffer.from(JSON.stringify(message.payload));
      expect(record?.value?.equals(bytes)).toBe(true);
    }
    expect(collector.records).toHaveLength(ids.length + moreIds.length);
    expect(inIdOrderPerKey(collector.records)).toBe(true);
    await eventually('the outbox to be empty', 5_000, async () =>
      (await outboxCount(fixture.database.dataSource)) === 0 ? true : undefined,
    );
  });

  it('never publishes the rows of a rolled-back transaction', async () => {
    const runner = fixture.database.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    const rolledBack = await writeOutbox(runner, messages(fixture.topic, 'rollback', 10));
    await runner.rollbackTransaction();
    await runner.release();
    // A later committed row: once it is out, the relay has passed every lower id.
    const [sentinel] = await writeCommitted(
      fixture.database.dataSource,
      messages(fixture.topic, 'sentinel', 1),
    );
    await collector.waitForIds([sentinel]);
    expect(BigInt(sentinel)).toBeGreaterThan(BigInt(rolledBack[rolledBack.length - 1]));
    const seen = collector.distinctIds();
    expect(rolledBack.filter((id) => seen.has(id))).toEqual([]);
    expect(collector.records.some((r) => r.headers['x-command-id']?.startsWith('rollback'))).toBe(
      false,
    );
  });

  it('refuses to write outside a transaction', async () => {
    await expect(
      writeOutbox(fixture.database.dataSource.manager, messages(fixture.topic, 'auto', 1)),
    ).rejects.toMatchObject({ code: 'NOT_IN_TRANSACTION' });
  });

  it('writes 5 000 rows in one statement quickly, and the relay drains them in order', async () => {
    const bulk = messages(fixture.topic, 'ingest', 5_000, ['A', 'B', 'C', 'D', 'E', 'F']);
    const runner = fixture.database.dataSource.createQueryRunner();
    await runner.connect();
    const statements: string[] = [];
    const query = runner.query.bind(runner);
    runner.query = ((sql: string, params?: unknown[]) => {
      statements.push(sql);
      return query(sql, params);
    }) as typeof runner.query;
    await runner.startTransaction();
    const startedAt = performance.now();
    const ids = await writeOutbox(runner, bulk);
    const writeMs = performance.now() - startedAt;
    await runner.commitTransaction();
    await runner.release();
    expect(statements.filter((sql) => sql.includes('INSERT INTO outbox'))).toHaveLength(1);
    expect(ids).toHaveLength(5_000);
    // One statement on loopback: tens of milliseconds. What matters is that it stays far inside
    // the statement timeout every service runs it under (which would cancel it), whatever the
    // machine: at most half of it, measured here on the client (encoding included).
    expect(writeMs).toBeLessThan(STATEMENT_TIMEOUT_MS_DEFAULT / 2);
    console.log(`outbox: 5 000 rows written in ${writeMs.toFixed(0)} ms`);
    const publishStarted = performance.now();
    await collector.waitForIds(ids);
    console.log(
      `outbox: 5 000 rows published in ${(performance.now() - publishStarted).toFixed(0)} ms`,
    );
    expect(inIdOrderPerKey(collector.records)).toBe(true);
  });
});
