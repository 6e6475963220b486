// Proves multi-message outbox rows (writeOutbox with pack): one row per topic run becomes exactly the records one row per message would (key, bytes, headers and their order, per-key order), the relay's batches stay within the message and byte bounds while a full row always goes (and Kafka takes it), and a relay killed between acknowledgement and delete re-sends the whole row, which consumers dedupe by x-command-id; real relays, PostgreSQL and Kafka.
import {
  OUTBOX_BATCH_MESSAGES_MAX,
  OUTBOX_BATCH_BYTES_MAX,
  OUTBOX_ID_HEADER,
  OUTBOX_ROW_MESSAGES_MAX,
  OutboxRelay,
  STATS_SQL,
  type OutboxMessage,
} from '@app/outbox';
import {
  TopicCollector,
  collectingLogger,
  compareOutboxIds,
  createOutboxFixture,
  eventually,
  firstCopiesByKey,
  inIdOrderPerKey,
  messages,
  outboxCount,
  writeCommitted,
  type Collected,
  type OutboxFixture,
} from './outbox-test-helpers';
import { RelayProcess } from './relay-process';

/** What a consumer sees of a record, without its outbox id. */
function content(record: Collected) {
  const headers = Object.entries(record.headers).filter(([name]) => name !== OUTBOX_ID_HEADER);
  return { topic: record.topic, key: record.key, value: record.value, headers };
}

/**
 * The records with a key. A record without one goes to any partition, so neither its partition
 * nor its order against other keyless records is promised, by one row per message either.
 */
function keyed(records: readonly Collected[]): Collected[] {
  return records.filter((r) => r.key !== null);
}

/** The records whose outbox id is in `ids`, first copies only, in (row id, index) order. */
function recordsOf(records: readonly Collected[], ids: readonly string[]): Collected[] {
  const wanted = new Set(ids);
  const seen = new Set<string>();
  const picked = records.filter((r) => {
    if (!wanted.has(r.outboxId) || seen.has(r.outboxId)) return false;
    seen.add(r.outboxId);
    return true;
  });
  return picked.sort((a, b) => compareOutboxIds(a.outboxId, b.outboxId));
}

describe('multi-message outbox rows', () => {
  let fixture: OutboxFixture;
  let collector: TopicCollector;

  beforeAll(async () => {
    fixture = await createOutboxFixture('obmulti');
    collector = new TopicCollector(fixture.topics.kafka, `${fixture.runId}-collector`);
    await collector.start([fixture.topic]);
  });

  afterAll(async () => {
    await collector?.stop();
    await fixture?.cleanup();
  });

  it('publishes a packed row as exactly the records of one row per message, in order', async () => {
    const { dataSource } = fixture.database;
    const written: OutboxMessage[] = [
      ...messages(fixture.topic, 'same', 300),
      { topic: fixture.topic, key: null, payload: Buffer.from([0, 255]), headers: { 'x-a': 'b' } },
      { topic: fixture.topic, key: 'BTC-USDT', payload: { last: true }, commandId: 'same-last' },
    ];
    const before = await outboxCount(dataSource);
    const singleIds = await writeCommitted(dataSource, written);
    const packedIds = await writeCommitted(dataSource, written, { pack: true });
    expect(await outboxCount(dataSource)).toBe(before + written.length + 1);
    const rowId = packedIds[0].split(':')[0];
    expect(packedIds).toEqual(written.map((_, n) => `${rowId}:${n}`));
    // What the relay reports as outbox_pending_rows and outbox_pending_messages.
    const [stats] = (await dataSource.query(STATS_SQL)) as {
      pending: number;
      pending_messages: number;
    }[];
    expect(stats).toMatchObject({
      pending: before + written.length + 1,
      pending_messages: before + 2 * written.length,
    });

    const log = collectingLogger();
    const relay = new OutboxRelay({
      databaseUrl: fixture.database.url,
      kafka: fixture.topics.kafka,
      logger: log,
    });
    await relay.start();
    try {
      await collector.waitForIds([...singleIds, ...packedIds]);
      await eventually('the outbox to be empty', 10_000, async () =>
        (await outboxCount(dataSource)) === 0 ? true : undefined,
      );
    } finally {
      await relay.stop();
    }
    expect(log.entries.filter((e) => e.level !== 'info')).toEqual([]);

    const singles = recordsOf(collector.records, singleIds);
    const packed = recordsOf(collector.records, packedIds);
    expect(packed.map((r) => r.outboxId)).toEqual(packedIds);
    // Same topic, key, value bytes, headers and header order; same partition per key.
    expect(packed.map(content)).toEqual(singles.map(content));
    // Same partition for every keyed record.
    expect(keyed(packed).map((r) => r.partition)).toEqual(keyed(singles).map((r) => r.partition));
    expect(packed[1].headers).toMatchObject({ 'x-command-id': 'same-1', 'x-schema-version': '1' });
    expect(inIdOrderPerKey(keyed(collector.records))).toBe(true);
  });

  it('bounds relay batches by messages and bytes, and always sends a full row', async () => {
    const { dataSource } = fixture.database;
    // Three full rows of small messages: at most two fit the message bound of one batch.
    const small: string[][] = [];
    for (let r = 0; r < 3; r += 1) {
      const batch = messages(fixture.topic, `small${r}`, OUTBOX_ROW_MESSAGES_MAX);
      small.push(await writeCommitted(dataSource, batch, { pack: true }));
    }
    // Two rows of 1 000 messages of about 600 bytes each: more than the byte bound together.
    const filler = 'x'.repeat(560);
    const large: string[][] = [];
    for (let r = 0; r < 2; r += 1) {
      const batch = messages(fixture.topic, `large${r}`, OUTBOX_ROW_MESSAGES_MAX).map((m) => ({
        ...m,
        payload: { ...(m.payload as object), filler },
      }));
      large.push(await writeCommitted(dataSource, batch, { pack: true }));
    }
    const rowIds = (ids: string[][]) => ids.map((row) => row[0].split(':')[0]);
    expect(new Set(rowIds([...small, ...large])).size).toBe(5);
    const sizes: { id: string; messages: number; bytes: number }[] = await dataSource.query(
      `SELECT id::text AS id, messages, octet_length(payload) AS bytes FROM outbox
        WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [rowIds([...small, ...large])],
    );
    const size = new Map(sizes.map((row) => [row.id, row]));
    expect(size.get(rowIds(large)[0])?.bytes).toBeLessThan(OUTBOX_BATCH_BYTES_MAX);
    expect(2 * (size.get(rowIds(large)[0])?.bytes ?? 0)).toBeGreaterThan(OUTBOX_BATCH_BYTES_MAX);

    const batches: string[][] = [];
    const log = collectingLogger();
    const relay = new OutboxRelay({
      databaseUrl: fixture.database.url,
      kafka: fixture.topics.kafka,
      logger: log,
      testHooks: { afterAckBeforeDeleteForTests: (ids) => void batches.push([...ids]) },
    });
    await relay.start();
    try {
      await collector.waitForIds([...small, ...large].flat());
    } finally {
      await relay.stop();
    }
    expect(log.entries.filter((e) => e.level !== 'info')).toEqual([]);
    // Every row once, in id order; the message bound stops the first batch after two full rows.
    expect(batches.flat()).toEqual(rowIds([...small, ...large]));
    expect(2 * OUTBOX_ROW_MESSAGES_MAX).toBeLessThanOrEqual(OUTBOX_BATCH_MESSAGES_MAX);
    expect(batches[0]).toEqual(rowIds(small.slice(0, 2)));
    // The two large rows never share a batch: together they pass the byte bound.
    const [largeA, largeB] = rowIds(large);
    expect(batches.some((b) => b.includes(largeA) && b.includes(largeB))).toBe(false);
    for (const batch of batches.filter((b) => b.length > 1)) {
      const rows = batch.map((id) => size.get(id) ?? { messages: Infinity, bytes: Infinity });
      expect(rows.reduce((n, row) => n + row.messages, 0)).toBeLessThanOrEqual(
        OUTBOX_BATCH_MESSAGES_MAX,
      );
      expect(rows.reduce((n, row) => n + row.bytes, 0)).toBeLessThanOrEqual(OUTBOX_BATCH_BYTES_MAX);
    }
    expect(await outboxCount(dataSource)).toBe(0);
    expect(inIdOrderPerKey(keyed(collector.records))).toBe(true);
  });

  it('re-sends the whole row after a kill between acknowledgement and delete', async () => {
    const { dataSource } = fixture.database;
    const rows: string[][] = [];
    for (let r = 0; r < 4; r += 1) {
      rows.push(
        await writeCommitted(dataSource, messages(fixture.topic, `crash${r}`, 50), {
          pack: true,
        }),
      );
    }
    const all = rows.flat();
    const env = (extra: Record<string, string> = {}) => ({
      DATABASE_URL: fixture.database.url,
      KAFKA_BROKERS: fixture.brokers.join(','),
      OUTBOX_BATCH_ROWS_MAX: '1',
      ...extra,
    });
    const processes: RelayProcess[] = [];
    try {
      const doomed = await RelayProcess.start(
        env({ OUTBOX_TEST_SIGKILL_AFTER_ACKED_BATCHES: '2' }),
      );
      processes.push(doomed);
      expect((await doomed.exited).signal).toBe('SIGKILL');
      const acked = doomed.events.filter((e) => e.event === 'acked').map((e) => e.ids as string[]);
      const rowId = (n: number) => rows[n][0].split(':')[0];
      expect(acked).toEqual([[rowId(0)], [rowId(1)]]);
      // Every message of the killed row reached Kafka, and the whole row is still there.
      await collector.waitForIds([...rows[0], ...rows[1]]);
      expect(await outboxCount(dataSource)).toBe(3);

      const restarted = await RelayProcess.start(env());
      processes.push(restarted);
      await collector.waitForIds(all);
      await eventually('the outbox to be empty', 10_000, async () =>
        (await outboxCount(dataSource)) === 0 ? true : undefined,
      );
    } finally {
      await Promise.all(processes.map((p) => p.stop()));
    }

    const mine = collector.records.filter((r) => r.headers['x-command-id']?.startsWith('crash'));
    const counts = new Map<string, number>();
    for (const r of mine) counts.set(r.outboxId, (counts.get(r.outboxId) ?? 0) + 1);
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    expect(duplicated.sort(compareOutboxIds)).toEqual(rows[1]);
    expect(mine).toHaveLength(all.length + rows[1].length);
    // Deduplicated by command id, as the engine does, every message is there once, in order.
    const byCommand = new Map<string, Collected>();
    for (const r of mine)
      if (!byCommand.has(r.headers['x-command-id'])) byCommand.set(r.headers['x-command-id'], r);
    expect([...byCommand.values()].map((r) => r.outboxId).sort(compareOutboxIds)).toEqual(all);
    expect(inIdOrderPerKey(mine)).toBe(true);
    expect([...firstCopiesByKey(mine).values()].flat()).toHaveLength(all.length);
  });
});
