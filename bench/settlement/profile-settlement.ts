// node -r @swc-node/register bench/settlement/profile-settlement.ts — where settlement's time goes, without Kafka. Builds the same
// database as bench:settlement, then calls settleBatch directly: the results of each market's
// partition in batches of PROFILE_BATCH, the two partitions concurrently (as the consumer does).
// Reports trades/s of the database path alone, the wall time of each statement kind (summed
// over both partitions, so it can exceed the elapsed time) and the server CPU time of the
// database's backends per trade (from /proc, so PostgreSQL must run on this machine), which is
// much steadier than trades/s on a shared machine, and the Node.js CPU per trade. Audits at the end;
// JSON summary last.
import type { DataSource, QueryRunner } from 'typeorm';
import type { EngineResult } from '@app/domain';
import { SETTLEMENT_BATCH_EVENTS_MAX, runAudit, settleBatch } from '@app/settlement';
import {
  createSettlementFixture,
  envelope,
  USER_UPDATES_TOPIC,
  type SettlementFixture,
} from '../../test/integration/settlement/settlement-helpers';
import {
  backendCpu,
  backendCpuSeconds,
  crossResult,
  setupCrossBooks,
  warmPool,
} from './bench-setup';

const TRADES = Number(process.env.BENCH_TRADES ?? 100_000);
const USERS = Number(process.env.BENCH_USERS ?? 200);
const BATCH = Number(process.env.PROFILE_BATCH ?? SETTLEMENT_BATCH_EVENTS_MAX);
/** PROFILE_KEEP_DB=1 keeps the database for EXPLAIN ANALYZE by hand; drop it yourself. */
const KEEP_DB = process.env.PROFILE_KEEP_DB === '1';

type Timings = Map<string, { calls: number; ms: number }>;

/** A short stable label for a statement: its first keywords and table. */
function label(sql: string): string {
  const text = sql.replace(/\s+/g, ' ').trim();
  const match =
    /^(INSERT INTO \w+|UPDATE \w+|SELECT .*? FROM \w+|WITH .*?(?:UPDATE|INSERT INTO) \w+|START TRANSACTION|COMMIT|ROLLBACK)/i.exec(
      text,
    );
  const head = match ? match[1] : text.slice(0, 40);
  return head.length > 60 ? `${head.slice(0, 30)}...${head.slice(-25)}` : head;
}

/** The DataSource with every query of its query runners timed into `timings`. */
function timed(dataSource: DataSource, timings: Timings): DataSource {
  return new Proxy(dataSource, {
    get(target, prop, receiver) {
      if (prop !== 'createQueryRunner') return Reflect.get(target, prop, receiver);
      return () => {
        const runner: QueryRunner = target.createQueryRunner();
        const query = runner.query.bind(runner);
        runner.query = (async (sql: string, ...rest: unknown[]) => {
          const started = process.hrtime.bigint();
          try {
            return await (query as (...args: unknown[]) => Promise<unknown>)(sql, ...rest);
          } finally {
            const key = label(sql);
            const entry = timings.get(key) ?? { calls: 0, ms: 0 };
            entry.calls++;
            entry.ms += Number(process.hrtime.bigint() - started) / 1e6;
            timings.set(key, entry);
          }
        }) as QueryRunner['query'];
        return runner;
      };
    },
  });
}

async function settlePartition(
  dataSource: DataSource,
  f: SettlementFixture,
  partition: number,
  results: readonly EngineResult[],
): Promise<void> {
  for (let start = 0; start < results.length; start += BATCH) {
    const chunk = results.slice(start, start + BATCH);
    await settleBatch(
      dataSource,
      {
        topic: 'profile.results',
        partition,
        records: chunk.map((result, i) => ({
          offset: String(start + i),
          envelope: envelope(f, result),
        })),
        lastOffset: String(start + chunk.length - 1),
      },
      { feesUserId: f.feesUserId, userUpdatesTopic: USER_UPDATES_TOPIC },
    );
  }
}

async function main(): Promise<void> {
  const f = await createSettlementFixture('profileset', 5);
  try {
    const books = await setupCrossBooks(f, TRADES, USERS);
    const byPartition: EngineResult[][] = [[], []];
    for (let i = 0; i < TRADES; i++) {
      const result = crossResult(books, i);
      byPartition[result.symbol === 'BTC-USDT' ? 0 : 1].push(result);
    }
    await warmPool(f, 3);
    const timings: Timings = new Map();
    const dataSource = timed(f.dataSource, timings);
    const cpuBefore = await backendCpu(f);
    const nodeCpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    await Promise.all(byPartition.map((results, p) => settlePartition(dataSource, f, p, results)));
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    const nodeCpu = process.cpuUsage(nodeCpuBefore);
    const cpuSeconds = backendCpuSeconds(cpuBefore, await backendCpu(f));

    const report = await runAudit(f.dataSource);
    const statements = [...timings]
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([sql, t]) => ({ sql, calls: t.calls, ms: Math.round(t.ms) }));
    const totalMs = statements.reduce((sum, s) => sum + s.ms, 0);
    for (const s of statements) {
      const share = ((100 * s.ms) / totalMs).toFixed(1).padStart(5);
      console.log(
        `${share} % ${String(s.ms).padStart(7)} ms ${String(s.calls).padStart(5)}x  ${s.sql}`,
      );
    }
    const summary = {
      bench: 'settlement-profile',
      trades: TRADES,
      users: USERS,
      batch: BATCH,
      elapsedMs: Math.round(elapsedMs),
      tradesPerSecond: Math.round(TRADES / (elapsedMs / 1000)),
      backendCpuUsPerTrade: Math.round((cpuSeconds * 1e6) / TRADES),
      nodeCpuUsPerTrade: Math.round((nodeCpu.user + nodeCpu.system) / TRADES),
      auditOk: report.ok,
    };
    console.log(
      `settled ${TRADES} trades directly in ${summary.elapsedMs} ms: ${summary.tradesPerSecond} trades/s, ` +
        `${summary.backendCpuUsPerTrade} µs backend and ${summary.nodeCpuUsPerTrade} µs Node.js CPU per trade; audit ${report.ok ? 'clean' : 'FAILED'}`,
    );
    console.log(JSON.stringify(summary));
    if (!report.ok) process.exitCode = 1;
  } finally {
    if (KEEP_DB) {
      console.log(`kept database ${f.database.url}`);
      await f.dataSource.destroy();
    } else {
      await f.database.drop();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
