// Proves one active relay per outbox: of two relays on one database only the lock holder publishes while rows keep coming, the other takes over when it stops or loses its session, and no row is lost; two in-process relays, PostgreSQL and Kafka.
import { OutboxRelay } from '@app/outbox';
import {
  TopicCollector,
  collectingLogger,
  countRounds,
  createOutboxFixture,
  eventually,
  inIdOrderPerKey,
  messages,
  outboxCount,
  sleep,
  writeCommitted,
  type OutboxFixture,
  type RoundCount,
} from './outbox-test-helpers';

const STANDBY_RETRY_MS = 200;

describe('two relays on one outbox', () => {
  let fixture: OutboxFixture;
  let collector: TopicCollector;
  const relays: OutboxRelay[] = [];
  /** Every relay's rounds, counted from its creation. */
  const rounds = new Map<OutboxRelay, RoundCount>();

  beforeAll(async () => {
    fixture = await createOutboxFixture('obsingle');
    collector = new TopicCollector(fixture.topics.kafka, `${fixture.runId}-collector`);
    await collector.start([fixture.topic]);
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  });

  afterAll(async () => {
    await collector?.stop();
    await fixture?.cleanup();
  });

  const relay = (applicationName: string, logger = collectingLogger()) => {
    const created = new OutboxRelay({
      databaseUrl: fixture.database.url,
      kafka: fixture.topics.kafka,
      applicationName,
      batchRowsMax: 5,
      standbyRetryMs: STANDBY_RETRY_MS,
      logger,
    });
    relays.push(created);
    rounds.set(created, countRounds(created, logger));
    return created;
  };

  /** `application_name` of every session holding an advisory lock on the test database. */
  const advisoryLockHolders = async (): Promise<string[]> => {
    const rows = (await fixture.database.dataSource.query(
      `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a USING (pid)
        WHERE l.locktype = 'advisory' AND l.granted AND l.database =
              (SELECT oid FROM pg_database WHERE datname = current_database())`,
    )) as { name: string }[];
    return rows.map((row) => row.name);
  };

  /** Writes `count` small transactions, one every `gapMs`, while `whileWriting` samples. */
  const writeSteadily = async (tag: string, count: number, gapMs: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      ids.push(
        ...(await writeCommitted(
          fixture.database.dataSource,
          messages(fixture.topic, `${tag}${i}`, 3),
        )),
      );
      await sleep(gapMs);
    }
    return ids;
  };

  it('only the lock holder publishes; the other takes over when it stops', async () => {
    const first = relay('relay-first');
    const second = relay('relay-second');
    await first.start();
    await second.start();
    const [active, standby] = first.isActive() ? [first, second] : [second, first];
    expect([active.isActive(), standby.isActive()]).toEqual([true, false]);

    const overlaps: number[] = [];
    const sampler = setInterval(() => {
      if (first.isActive() && second.isActive()) overlaps.push(performance.now());
    }, 5);
    try {
      const before = await writeSteadily('a', 20, 20);
      await collector.waitForIds(before);
      expect(standby.status()).toMatchObject({ role: 'standby', publishedRows: 0, batches: 0 });
      expect(active.status().publishedRows).toBe(before.length);

      // Stop the active relay while writes go on: the standby takes over within its retry.
      const writing = writeSteadily('b', 20, 20);
      await sleep(100);
      const attempts = rounds.get(standby) as RoundCount;
      const standbyName = first === standby ? 'relay-first' : 'relay-second';
      await active.stop();
      const stoppedAt = performance.now();
      const attemptsAtStop = attempts.started;
      // The stop closed the session, so the lock is free at once (or already the standby's).
      expect((await advisoryLockHolders()).filter((name) => name !== standbyName)).toEqual([]);
      await eventually('the standby to take over', 5_000, () =>
        standby.isActive() ? true : undefined,
      );
      const takeoverMs = performance.now() - stoppedAt;
      const during = await writing;
      await collector.waitForIds([...before, ...during]);
      console.log(
        `outbox failover: standby active ${takeoverMs.toFixed(0)} ms after stop, in lock ` +
          `attempt ${attempts.tookLockAt} (${attemptsAtStop} started before the stop returned)`,
      );
      // Counted in attempts, not milliseconds: the first attempt that starts after the stop (or
      // one already under way) takes the lock; a lock that outlived the stop would need more.
      expect(attempts.tookLockAt).toBeDefined();
      expect(attempts.tookLockAt).toBeLessThanOrEqual(attemptsAtStop + 1);
      expect(standby.status().publishedRows).toBeGreaterThan(0);
      expect(collector.distinctIds()).toEqual(new Set([...before, ...during]));
      expect(inIdOrderPerKey(collector.records)).toBe(true);
      expect(await outboxCount(fixture.database.dataSource)).toBe(0);
    } finally {
      clearInterval(sampler);
    }
    expect(overlaps).toEqual([]);
  });

  it('an active relay whose session is killed steps down at once; one relay goes on', async () => {
    const victimLog = collectingLogger();
    const first = relay('relay-victim', victimLog);
    await first.start();
    expect(first.isActive()).toBe(true);
    const second = relay('relay-heir');
    await second.start();
    expect(second.isActive()).toBe(false);

    const overlaps: number[] = [];
    const sampler = setInterval(() => {
      if (first.isActive() && second.isActive()) overlaps.push(performance.now());
    }, 5);
    try {
      const terminated = await fixture.database.dataSource.query(
        `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
          WHERE application_name = 'relay-victim' AND datname = current_database()`,
      );
      expect(terminated).toEqual([{ done: true }]);
      await eventually('the victim to step down', 5_000, () =>
        victimLog.entries.some(
          (e) => (e.fields as { reason?: string }).reason === 'database connection lost',
        )
          ? true
          : undefined,
      );
      // Whichever relay wins the freed lock, exactly one publishes and nothing is lost.
      const ids = await writeCommitted(
        fixture.database.dataSource,
        messages(fixture.topic, 'c', 6),
      );
      await collector.waitForIds(ids);
      await sleep(STANDBY_RETRY_MS * 3);
      expect([first.isActive(), second.isActive()].filter(Boolean)).toHaveLength(1);
    } finally {
      clearInterval(sampler);
    }
    expect(overlaps).toEqual([]);
  });
});
