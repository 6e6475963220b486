// npm run bench:settlement — settlement throughput on real PostgreSQL and Kafka. Pre-publishes
// BENCH_TRADES engine results (one trade each, between BENCH_USERS traders in pairs, over two
// markets) to a fresh results topic, then times one SettlementConsumer from start until it has
// caught up. Baseline: the same per-batch statements (checkpoint, orders, trades, ledger,
// balances, outbox) with server-generated rows, through pgbench on the same database, which is
// PostgreSQL's ceiling for this write pattern without Node.js, Kafka or decoding. Audits the
// database at the end. Prints a JSON summary as its last line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SETTLEMENT_BATCH_EVENTS_MAX, SettlementConsumer, runAudit } from '@app/settlement';
import { encodePackedResult, packEngineResults } from '@app/messaging';
import { createTestTopics, newRunId } from '@app/testing';
import type { CrossBook } from '../../test/integration/settlement/cross-trades';
import { waitCaughtUp } from '../../test/integration/settlement/random-run';
import {
  createSettlementFixture,
  encodeResults,
  RESULTS_LOGICAL,
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
const PGBENCH_TRANSACTIONS = Number(process.env.BENCH_PGBENCH_TRANSACTIONS ?? 20);
/**
 * Results per Kafka record: 1 (default) publishes one envelope per result, the shape the
 * baseline figures were measured with; the engine leader packs about 250 results per record
 * (packEngineResults), which BENCH_RESULTS_PER_RECORD=250 reproduces.
 */
const RESULTS_PER_RECORD = Number(process.env.BENCH_RESULTS_PER_RECORD ?? 1);
// Results per send: one produce request stays under the broker's 1 MB default (about 1.5 kB each).
const PUBLISH_CHUNK = 500;

async function main(): Promise<void> {
  const runId = newRunId('benchset');
  const f = await createSettlementFixture('benchset');
  const topics = await createTestTopics(runId, [{ logical: RESULTS_LOGICAL, partitions: 2 }]);
  const resultsTopic = topics.names[RESULTS_LOGICAL];
  try {
    // Setup: traders in pairs, each pair with a big resting buy and sell on one market.
    const books = await setupCrossBooks(f, TRADES, USERS);

    // Pre-publish every result.
    const producer = topics.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const publishStarted = Date.now();
    const packs = new Map<string, string[]>();
    for (let sent = 0; sent < TRADES; sent += PUBLISH_CHUNK) {
      const messages: { key: string; value: Buffer }[] = [];
      for (let i = sent; i < Math.min(TRADES, sent + PUBLISH_CHUNK); i++) {
        const result = crossResult(books, i);
        if (RESULTS_PER_RECORD <= 1) {
          messages.push({ key: result.symbol, value: encodeResults(f, [result])[0] });
          continue;
        }
        // Packed like the engine: consecutive results of one market's partition.
        const pack = packs.get(result.symbol) ?? [];
        packs.set(result.symbol, pack);
        pack.push(encodePackedResult(result));
        if (pack.length === RESULTS_PER_RECORD || i === TRADES - 1) {
          messages.push({ key: result.symbol, value: packed(f, pack.splice(0)) });
        }
      }
      if (sent + PUBLISH_CHUNK >= TRADES) {
        for (const [symbol, pack] of packs) {
          if (pack.length > 0) messages.push({ key: symbol, value: packed(f, pack.splice(0)) });
        }
      }
      if (messages.length > 0) await producer.send({ topic: resultsTopic, messages });
    }
    await producer.disconnect();
    const publishMs = Date.now() - publishStarted;

    // Settle.
    const consumer = new SettlementConsumer({
      kafka: topics.kafka,
      dataSource: f.dataSource,
      resultsTopic,
      userUpdatesTopic: USER_UPDATES_TOPIC,
      groupId: `${runId}-settlement`,
    });
    // Backend and Node.js CPU per trade are much steadier than trades/s on a shared machine.
    await warmPool(f, 5);
    const cpuBefore = await backendCpu(f);
    const nodeCpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    await consumer.start();
    await waitCaughtUp(f, topics.kafka, resultsTopic, 600_000);
    const settleMs = Number(process.hrtime.bigint() - started) / 1e6;
    const nodeCpu = process.cpuUsage(nodeCpuBefore);
    const backendSeconds = backendCpuSeconds(cpuBefore, await backendCpu(f));
    await consumer.stop();
    const report = await runAudit(f.dataSource);
    const [{ trades }] = (await f.dataSource.query(
      'SELECT count(*)::int AS trades FROM trades',
    )) as { trades: number }[];

    const baseline = runPgbench(f.database.url, books, f.feesUserId);
    const summary = {
      bench: 'settlement',
      trades: TRADES,
      tradesInDatabase: trades,
      users: USERS,
      batchEventsMax: SETTLEMENT_BATCH_EVENTS_MAX,
      resultsPerRecord: RESULTS_PER_RECORD,
      publishMs,
      settleMs: Math.round(settleMs),
      tradesPerSecond: Math.round(TRADES / (settleMs / 1000)),
      backendCpuUsPerTrade: Math.round((backendSeconds * 1e6) / TRADES),
      nodeCpuUsPerTrade: Math.round((nodeCpu.user + nodeCpu.system) / TRADES),
      targetTradesPerSecond: 20_000,
      auditOk: report.ok,
      pgbench: baseline,
    };
    console.log(
      `settled ${TRADES} trades in ${summary.settleMs} ms: ${summary.tradesPerSecond} trades/s ` +
        `(backend CPU ${summary.backendCpuUsPerTrade} µs/trade, Node.js ${summary.nodeCpuUsPerTrade} µs/trade) ` +
        `(pgbench baseline ${baseline.tradesPerSecond} trades/s); audit ${report.ok ? 'clean' : 'FAILED'}`,
    );
    console.log(JSON.stringify(summary));
    if (!report.ok || trades !== TRADES) process.exitCode = 1;
  } finally {
    await topics.cleanup();
    await f.database.drop();
  }
}

function packed(f: SettlementFixture, entries: readonly string[]): Buffer {
  return packEngineResults(f.shard, f.token.toString(), entries);
}

/**
 * One settlement transaction of SETTLEMENT_BATCH_EVENTS_MAX one-trade results, as SQL that
 * generates its rows on the server: the same statements and row counts as settleBatch (two
 * order rows and four balance rows per trade, collapsed per order and per balance as settleBatch
 * does, six ledger entries per trade in one journal, one outbox row per user), without Node.js in the loop.
 */
function runPgbench(
  url: string,
  books: readonly CrossBook[],
  feesUserId: string,
): { transactions: number; tps: number; tradesPerSecond: number } {
  const batch = SETTLEMENT_BATCH_EVENTS_MAX;
  const users = books.flatMap((b) => [b.buy.userId, b.sell.userId]);
  const orders = books.flatMap((b) => [b.buy.orderId, b.sell.orderId]);
  const arr = (items: readonly string[]) =>
    `ARRAY[${items.map((i) => `'${i}'`).join(',')}]::uuid[]`;
  const script = `
BEGIN;
INSERT INTO settlement_checkpoints (topic, partition) VALUES ('pgbench', :client_id) ON CONFLICT DO NOTHING;
SELECT last_offset FROM settlement_checkpoints WHERE topic = 'pgbench' AND partition = :client_id FOR UPDATE;
SELECT shard FROM settlement_shard_fencing WHERE shard = 0 FOR SHARE;
WITH prev AS (SELECT id, locked_amount FROM orders WHERE id = ANY(${arr(orders)}) ORDER BY id FOR UPDATE) UPDATE orders o SET filled_lots = o.filled_lots, locked_amount = o.locked_amount, fee_paid = o.fee_paid, updated_at = now() FROM prev WHERE o.id = prev.id;
INSERT INTO trades (symbol, trade_seq, price_ticks, qty_lots, quote_amount, maker_order_id, taker_order_id, maker_user_id, taker_user_id, taker_side, maker_fee, taker_fee, maker_fee_asset, taker_fee_asset, executed_at) SELECT 'BTC-USDT', 1000000000 + nextval('pgbench_trade_seq'), 3000000, 1, 30000000, '${books[0].sell.orderId}', '${books[0].buy.orderId}', '${books[0].sell.userId}', '${books[0].buy.userId}', 'BUY', 30000, 2, 'USDT', 'BTC', now() FROM generate_series(1, ${batch});
INSERT INTO ledger_entries (journal_id, user_id, account, asset, amount, reason, ref_type, ref_id) SELECT j, '${feesUserId}', 'FEES', 'USDT', CASE WHEN k % 2 = 1 THEN 1 ELSE -1 END, 'FEE', 'TRADE', 'pgbench' FROM (SELECT gen_random_uuid() AS j) g CROSS JOIN generate_series(1, ${6 * batch}) k;
INSERT INTO balances (user_id, asset) SELECT u, 'USDT' FROM unnest(${arr(users)}) u ORDER BY u ON CONFLICT DO NOTHING;
WITH locked AS (SELECT user_id, asset FROM balances WHERE user_id = ANY(${arr(users)}) AND asset IN ('USDT', 'BTC') ORDER BY user_id, asset FOR UPDATE) UPDATE balances b SET available = b.available, updated_at = now() FROM locked l WHERE b.user_id = l.user_id AND b.asset = l.asset;
INSERT INTO outbox (topic, key, payload) SELECT 'pgbench', u::text, convert_to(repeat('x', 300), 'UTF8') FROM unnest(${arr(users)}) u;
UPDATE settlement_checkpoints SET last_offset = last_offset + ${batch}, updated_at = now() WHERE topic = 'pgbench' AND partition = :client_id;
COMMIT;
`;
  const dir = mkdtempSync(join(tmpdir(), 'bench-settlement-'));
  const file = join(dir, 'batch.sql');
  writeFileSync(file, script);
  const psql = spawnSync('psql', [url, '-qc', 'CREATE SEQUENCE IF NOT EXISTS pgbench_trade_seq'], {
    encoding: 'utf8',
  });
  if (psql.status !== 0) throw new Error(`psql failed: ${psql.stderr}`);
  const run = spawnSync(
    'pgbench',
    ['-n', '-c', '1', '-t', String(PGBENCH_TRANSACTIONS), '-f', file, url],
    { encoding: 'utf8' },
  );
  const match = /tps = ([\d.]+)/.exec(run.stdout);
  if (run.status !== 0 || match === null)
    throw new Error(`pgbench failed: ${run.stderr}${run.stdout}`);
  const tps = Number(match[1]);
  return {
    transactions: PGBENCH_TRANSACTIONS,
    tps: Math.round(tps * 100) / 100,
    tradesPerSecond: Math.round(tps * batch),
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
