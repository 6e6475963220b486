// Proves canonical balance lock order prevents deadlocks: two settlement loops on different partitions (and markets) settle thousands of trades between the same two users in opposite roles concurrently with zero deadlocks in pg_stat_database, while a control run with the test-only unordered locking, its two transactions held at a barrier once each holds one shared balance row, deadlocks every time; settleBatch on real PostgreSQL (the Kafka consumer around it adds no locks).
import type { DataSource } from 'typeorm';
import {
  SettlementConsumer,
  settleBatch,
  settlementMetrics,
  type SettleBatchOptions,
} from '@app/settlement';
import { createTestTopics, newRunId } from '@app/testing';
import { waitCaughtUp } from './random-run';
import { nextCrossResult, type CrossBook } from './cross-trades';
import {
  createSettlementFixture,
  createTrader,
  encodeResults,
  envelope,
  expectAuditClean,
  placeCross,
  RESULTS_LOGICAL,
  USER_UPDATES_TOPIC,
  type SettlementFixture,
} from './settlement-helpers';

const CANONICAL_TRADES_PER_PARTITION = 2_000;
/** The control stops at its first deadlock (its first trade, thanks to the barrier). */
const CONTROL_TRADES_MAX = 20;
/** A barrier that is never met fails the control instead of hanging it. */
const BARRIER_TIMEOUT_MS = 10_000;
const TOPIC = 'deadlock.results';
const KAFKA_TRADES_PER_PARTITION = 2_000;

/** Bound on waiting for the statistics of the other sessions to reach shared memory. */
const STATS_WAIT_MS = 15_000;

/**
 * The database's deadlock count with every session's share in it. PostgreSQL 15 counts a
 * deadlock in the backend that detected it and flushes that to shared memory lazily (when it goes
 * idle, at most once a second, else up to 10 s later, or when it exits); pg_stat_force_next_flush
 * works on the calling backend only. So every session of the pool is checked out at once (the
 * pool hands out its idle connections before opening new ones) and made to flush, which it does
 * before answering; sessions outside the pool (one closing after an idle timeout) flush on exit,
 * so they are waited for until they are gone. Nothing else connects to a test's own database.
 */
async function deadlocks(dataSource: DataSource, name: string): Promise<number> {
  const poolSize = (dataSource.options.extra as { max: number }).max;
  const runners = Array.from({ length: poolSize }, () => dataSource.createQueryRunner());
  try {
    const pids = await Promise.all(
      runners.map(async (runner) => {
        const [row] = (await runner.query(
          'SELECT pg_backend_pid() AS pid, pg_stat_force_next_flush()',
        )) as { pid: number }[];
        return row.pid;
      }),
    );
    const deadline = Date.now() + STATS_WAIT_MS;
    for (;;) {
      const [{ others }] = (await runners[0].query(
        `SELECT count(*)::int AS others FROM pg_stat_activity
          WHERE datname = $1 AND backend_type = 'client backend' AND pid <> ALL($2::int[])`,
        [name, pids],
      )) as { others: number }[];
      if (others === 0) break;
      if (Date.now() > deadline) throw new Error(`${others} other session(s) on ${name}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await runners[0].query('SELECT pg_stat_clear_snapshot()');
    const [row] = (await runners[0].query(
      'SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = $1',
      [name],
    )) as { n: number }[];
    return row.n;
  } finally {
    await Promise.all(runners.map((runner) => runner.release()));
  }
}

/** Polls `deadlocks` until the count exceeds `before` (at most STATS_WAIT_MS); returns the last. */
async function deadlocksAbove(dataSource: DataSource, name: string, before: number) {
  const deadline = Date.now() + STATS_WAIT_MS;
  for (;;) {
    const n = await deadlocks(dataSource, name);
    if (n > before || Date.now() > deadline) return n;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Holds the first two arrivals until both are there (at most BARRIER_TIMEOUT_MS, so a barrier
 * that is never met fails the test instead of hanging it); later arrivals pass straight through.
 */
function twoPartyBarrier(): { arrive(): Promise<void>; outcome(): 'met' | 'timed out' | 'open' } {
  let arrived = 0;
  let state: 'met' | 'timed out' | 'open' = 'open';
  let release!: () => void;
  const met = new Promise<void>((resolve) => (release = resolve));
  return {
    async arrive() {
      if (++arrived > 2) return;
      if (arrived === 2) {
        if (state === 'open') state = 'met';
        release();
        return;
      }
      const timer = setTimeout(() => {
        if (state === 'open') state = 'timed out';
        release();
      }, BARRIER_TIMEOUT_MS);
      await met;
      clearTimeout(timer);
    },
    outcome: () => state,
  };
}

describe('settlement lock order under opposite concurrent trades', () => {
  let f: SettlementFixture;
  let books: CrossBook[];
  let quoteRows: Set<string>;
  const offsets = [0, 0];

  beforeAll(async () => {
    f = await createSettlementFixture('setdeadlock', 6);
    const alice = await createTrader(f, {
      USDT: 100_000n * 100_000_000n,
      ETH: 100n * 100_000_000n,
    });
    const bob = await createTrader(f, { USDT: 100_000n * 100_000_000n, BTC: 10n * 100_000_000n });
    // The balance rows both partitions touch (besides the fee account's): the traders' USDT.
    quoteRows = new Set([`${alice} USDT`, `${bob} USDT`]);
    const lots = 100_000;
    // Partition 0 (BTC-USDT): alice buys from bob. Partition 1 (ETH-USDT): bob buys from alice.
    books = [
      await placeCross(f, 'BTC-USDT', alice, bob, 3_000_000, lots),
      await placeCross(f, 'ETH-USDT', bob, alice, 200_000, lots),
    ];
  });

  afterAll(async () => {
    await f?.database.drop();
  });

  /** One loop per partition; each transaction settles one trade. Returns deadlocks seen by settleBatch. */
  async function race(
    trades: number,
    lockOrder: SettleBatchOptions['balanceLockOrder'],
    stopAtFirstDeadlock: boolean,
    probes: (SettleBatchOptions['balanceLockProbe'] | undefined)[] = [],
  ): Promise<number> {
    const metrics = settlementMetrics();
    const start = (await metrics.deadlocks.get()).values[0]?.value ?? 0;
    const seen = async () => ((await metrics.deadlocks.get()).values[0]?.value ?? 0) - start;
    const loop = async (partition: number) => {
      const book = books[partition];
      for (let i = 0; i < trades; i++) {
        if (stopAtFirstDeadlock && (await seen()) > 0) return;
        // The taker alternates, so each side's balances are touched first half of the time.
        const result = nextCrossResult(book, 1, i % 2 === 0 ? 'BUY' : 'SELL');
        const offset = String(offsets[partition]++);
        await settleBatch(
          f.dataSource,
          {
            topic: TOPIC,
            partition,
            records: [{ offset, envelope: envelope(f, result) }],
            lastOffset: offset,
          },
          {
            feesUserId: f.feesUserId,
            userUpdatesTopic: USER_UPDATES_TOPIC,
            balanceLockOrder: lockOrder,
            balanceLockProbe: probes[partition],
            metrics,
          },
        );
      }
    };
    await Promise.all([loop(0), loop(1)]);
    return seen();
  }

  it(`settles ${CANONICAL_TRADES_PER_PARTITION} x 2 crossing trades with zero deadlocks`, async () => {
    const before = await deadlocks(f.dataSource, f.database.name);
    expect(await race(CANONICAL_TRADES_PER_PARTITION, 'canonical', false)).toBe(0);
    expect(await deadlocks(f.dataSource, f.database.name)).toBe(before);
    const [{ trades }] = (await f.dataSource.query(
      'SELECT count(*)::int AS trades FROM trades',
    )) as { trades: number }[];
    expect(trades).toBe(2 * CANONICAL_TRADES_PER_PARTITION);
    await expectAuditClean(f.dataSource);
  }, 180_000);

  it('control: without the canonical order the same workload deadlocks (retried, so money stays right)', async () => {
    // Partition 0's taker is alice and partition 1's is bob, and the unordered path locks rows in
    // the order the result touches them, so each transaction's first trader USDT row is the
    // other's second. Two barriers make the cycle certain (with timing alone a fast machine can
    // go hundreds of trades without one): both transactions first ensure their balance rows
    // exist (an INSERT ... ON CONFLICT meeting a row the other has already updated would wait
    // for it instead of deadlocking), then each locks its first trader USDT row and waits for
    // the other to hold its own.
    // One trade per partition first, so each shard's fencing row exists and its first token is
    // recorded (that takes the row exclusively, which would otherwise hold one side before the
    // barrier when this test runs alone).
    await race(1, 'canonical', false);
    const ensured = twoPartyBarrier();
    const firstLocked = twoPartyBarrier();
    const probe = (): SettleBatchOptions['balanceLockProbe'] => {
      let done = false;
      return async (step) => {
        if (done) return;
        if (step.step === 'rows-ensured') return ensured.arrive();
        if (!quoteRows.has(`${step.userId} ${step.asset}`)) return;
        done = true;
        return firstLocked.arrive();
      };
    };
    const before = await deadlocks(f.dataSource, f.database.name);
    const seen = await race(CONTROL_TRADES_MAX, 'unordered', true, [probe(), probe()]);
    // Until the deadlock shows (so that none of this run's can land in the next test's count).
    const after = await deadlocksAbove(f.dataSource, f.database.name, before);
    process.stdout.write(
      `control: ${seen} deadlock(s) seen by settlement, pg_stat_database +${after - before}\n`,
    );
    expect({ ensured: ensured.outcome(), firstLocked: firstLocked.outcome() }).toEqual({
      ensured: 'met',
      firstLocked: 'met',
    });
    expect(seen).toBeGreaterThan(0);
    expect(after).toBeGreaterThan(before);
    await expectAuditClean(f.dataSource);
  }, 180_000);
  it('through Kafka: two consumers in one group, one partition each, settle crossing trades with zero deadlocks', async () => {
    const runId = newRunId('setdlk');
    const topics = await createTestTopics(runId, [{ logical: RESULTS_LOGICAL, partitions: 2 }]);
    const resultsTopic = topics.names[RESULTS_LOGICAL];
    const consumers: SettlementConsumer[] = [];
    try {
      const producer = topics.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      for (const partition of [0, 1]) {
        for (let sent = 0; sent < KAFKA_TRADES_PER_PARTITION; sent += 500) {
          const results = Array.from({ length: 500 }, (_, i) =>
            nextCrossResult(books[partition], 1, (sent + i) % 2 === 0 ? 'BUY' : 'SELL'),
          );
          const values = encodeResults(f, results);
          await producer.send({
            topic: resultsTopic,
            messages: results.map((r, i) => ({ partition, key: r.symbol, value: values[i] })),
          });
        }
      }
      await producer.disconnect();
      const before = await deadlocks(f.dataSource, f.database.name);
      for (let i = 0; i < 2; i++) {
        const consumer = new SettlementConsumer({
          kafka: topics.kafka,
          dataSource: f.dataSource,
          resultsTopic,
          userUpdatesTopic: USER_UPDATES_TOPIC,
          groupId: `${runId}-settlement`,
          // Small transactions: many more chances for the two partitions to interleave.
          batchEventsMax: 5,
        });
        consumers.push(consumer);
        await consumer.start();
      }
      await waitCaughtUp(f, topics.kafka, resultsTopic, 120_000);
      // Stopped first, so that no consumer holds a pooled session while every one is flushed.
      for (const consumer of consumers.splice(0)) await consumer.stop();
      expect(await deadlocks(f.dataSource, f.database.name)).toBe(before);
      await expectAuditClean(f.dataSource);
    } finally {
      for (const consumer of consumers) await consumer.stop();
      await topics.cleanup();
    }
  }, 180_000);
});
