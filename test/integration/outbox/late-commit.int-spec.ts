// Proves the snapshot guard: with transaction A (lower id, same key) still open, the relay holds back B's committed row instead of overtaking or skipping A's; after A commits both are published, A's first; two real transactions, a running relay, Kafka.
import { OutboxRelay, writeOutbox } from '@app/outbox';
import {
  TopicCollector,
  collectingLogger,
  countRounds,
  createOutboxFixture,
  eventually,
  roundsFinished,
  sleep,
  writeCommitted,
  type OutboxFixture,
  type RoundCount,
} from './outbox-test-helpers';

/** How long the test keeps A open after B committed while the relay is running. */
const A_OPEN_AFTER_B_MS = 1_500;
/**
 * The relay's fallback poll: long, so that only NOTIFY and the blocked-row retry (100 ms) can
 * wake it while a test runs, and a row the retry should have published stands out.
 */
const POLL_INTERVAL_MS = 30_000;
/**
 * Rounds (each a fresh look at the outbox) the relay must have finished, with the row held back,
 * before a test concludes that it holds the row back, however slow the machine.
 */
const ROUNDS_HELD_BACK = 3;

describe('outbox relay and a late commit', () => {
  let fixture: OutboxFixture;
  let relay: OutboxRelay;
  let collector: TopicCollector;
  let rounds: RoundCount;
  const log = collectingLogger();

  beforeAll(async () => {
    fixture = await createOutboxFixture('oblate');
    collector = new TopicCollector(fixture.topics.kafka, `${fixture.runId}-collector`);
    await collector.start([fixture.topic]);
    relay = new OutboxRelay({
      databaseUrl: fixture.database.url,
      kafka: fixture.topics.kafka,
      // Only NOTIFY and the blocked-row retry may wake it during the test.
      pollIntervalMs: POLL_INTERVAL_MS,
      logger: log,
    });
    rounds = countRounds(relay);
    await relay.start();
    expect(relay.isActive()).toBe(true);
  });

  afterAll(async () => {
    await relay?.stop();
    await collector?.stop();
    await fixture?.cleanup();
  });

  it('publishes neither row while A is open, then both, A before B', async () => {
    const { dataSource } = fixture.database;
    const a = dataSource.createQueryRunner();
    const b = dataSource.createQueryRunner();
    await a.connect();
    await b.connect();
    try {
      await a.startTransaction();
      const [idA] = await writeOutbox(a, [
        { topic: fixture.topic, key: 'BTC-USDT', payload: { tx: 'A' }, commandId: 'A' },
      ]);
      await b.startTransaction();
      const [idB] = await writeOutbox(b, [
        { topic: fixture.topic, key: 'BTC-USDT', payload: { tx: 'B' }, commandId: 'B' },
      ]);
      expect(BigInt(idA)).toBeLessThan(BigInt(idB));
      await b.commitTransaction();

      // B's commit notified the relay; it must hold B back, since A may still commit a row
      // that precedes it. A relay with a bare "id > last" mark would publish B here and later
      // skip A.
      await sleep(A_OPEN_AFTER_B_MS);
      await roundsFinished(rounds, ROUNDS_HELD_BACK);
      expect(collector.records).toEqual([]);
      expect(relay.status().publishedRows).toBe(0);

      await a.commitTransaction();
      await collector.waitForIds([idA, idB]);
      expect(collector.distinctIds()).toEqual(new Set([idA, idB]));
      expect(collector.records.map((r) => r.outboxId)).toEqual([idA, idB]);
    } finally {
      if (a.isTransactionActive) await a.rollbackTransaction();
      if (b.isTransactionActive) await b.rollbackTransaction();
      await a.release();
      await b.release();
    }
  });

  it('never publishes a row before a row its transaction could see, whatever the xids', async () => {
    const { dataSource } = fixture.database;
    const [s, x] = [dataSource.createQueryRunner(), dataSource.createQueryRunner()];
    await s.connect();
    await x.connect();
    try {
      // S takes the oldest xid, X a younger one and stays open; R commits row r; only then does
      // S write row s. S could see r, so r must go first, although S's xid is older than R's
      // and only S's is below the snapshot's xmin (X's) while X runs.
      await s.startTransaction();
      await s.query(`SELECT pg_current_xact_id()`);
      await x.startTransaction();
      await x.query(`SELECT pg_current_xact_id()`);
      const [idR] = await writeCommitted(dataSource, [
        { topic: fixture.topic, key: 'SOL-USDT', payload: { tx: 'R' }, commandId: 'R' },
      ]);
      const [idS] = await writeOutbox(s, [
        { topic: fixture.topic, key: 'SOL-USDT', payload: { tx: 'S' }, commandId: 'S' },
      ]);
      await s.commitTransaction();
      await sleep(500);
      await roundsFinished(rounds, ROUNDS_HELD_BACK);
      const before = collector.distinctIds();
      expect([before.has(idR), before.has(idS)]).toEqual([false, false]);
      await x.commitTransaction();
      await collector.waitForIds([idR, idS]);
      const order = collector.records.filter((r) => r.key === 'SOL-USDT').map((r) => r.outboxId);
      expect(order).toEqual([idR, idS]);
    } finally {
      for (const runner of [s, x]) {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
    }
  });

  it('publishes rows committed behind a transaction that writes no outbox row once it ends', async () => {
    const { dataSource } = fixture.database;
    // An unrelated write transaction, older than the row: it holds the snapshot's xmin back and
    // its commit sends no notification, so the relay has to look again by itself.
    const other = dataSource.createQueryRunner();
    await other.connect();
    try {
      await other.startTransaction();
      await other.query(`SELECT pg_current_xact_id()`);
      const [id] = await writeCommitted(dataSource, [
        { topic: fixture.topic, key: 'ETH-USDT', payload: { tx: 'C' }, commandId: 'C' },
      ]);
      await sleep(500);
      await roundsFinished(rounds, ROUNDS_HELD_BACK);
      expect(collector.distinctIds().has(id)).toBe(false);
      const committedAt = performance.now();
      await other.commitTransaction();
      await collector.waitForIds([id], POLL_INTERVAL_MS);
      const record = collector.records.find((r) => r.outboxId === id);
      // The blocked-row retry (100 ms), not the poll, picked it up: without the retry the relay
      // would have slept for the poll after its notified look at the row (before the commit),
      // publishing it about POLL_INTERVAL_MS later. A third of the interval leaves a slow machine
      // seconds of room and still tells the two apart.
      expect((record?.receivedAt ?? Infinity) - committedAt).toBeLessThan(POLL_INTERVAL_MS / 3);
    } finally {
      if (other.isTransactionActive) await other.rollbackTransaction();
      await other.release();
    }
    await eventually('no errors logged', 1_000, () =>
      log.entries.every((e) => e.level === 'info') ? true : undefined,
    );
  });
});
