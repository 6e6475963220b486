// Order entry benchmark (not a test): TX1 throughput of a real order-service process against a
// throwaway PostgreSQL database, next to pgbench running the same SQL as its baseline.
//   (a) single orders over HTTP, fixed concurrency, keep-alive connections, many users
//   (b) batch ingestion over HTTP (POST /api/v1/orders/batch), orders committed per second
//   (c) pgbench: BEGIN; the insert-orders statement; the outbox insert; COMMIT
//   (d) only with --phases containing d: the outbox relay draining what (a) and (b) queued to the
//       real broker, messages published per second
// Every phase needs a Kafka broker (KAFKA_BROKERS, default 127.0.0.1:9092): order-service checks
// at boot that its database and its log are one exchange's, so the run gets topics of its own.
// Prints each rate, (a)/(c), p50/p99 of (a), and one JSON object on the last line.
// Usage: npm run bench:order-entry [-- --seconds 10 --concurrency 32 --users 64 --phases abcd]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signInternalIdentity } from '@app/auth';
import { encodeCommand, type PlaceOrderCommand } from '@app/domain';
import { TOPICS, withAdmin } from '@app/messaging';
import {
  createTestDatabase,
  createTestTopics,
  kafkaBrokersForTests,
  newRunId,
  REPO_ROOT,
  sleep,
  startService,
  type TestDatabase,
} from '@app/testing';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) {
  args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
}
/** Length of each measured phase; bounded so a run stays around a minute on two cores. */
const PHASE_SECONDS = Number(args.get('seconds') ?? 10);
/** Requests (and pgbench clients) in flight at once. */
const CONCURRENCY = Number(args.get('concurrency') ?? 32);
/** Orders are spread over this many users so balance row locks do not serialize everything. */
const USERS = Number(args.get('users') ?? 64);
/** Orders per batch request, and batch requests in flight (one per core). */
const BATCH_SIZE = Number(args.get('batch') ?? 1000);
const BATCH_CONCURRENCY = Number(args.get('batch-concurrency') ?? 2);
/** Pool of the order-service process; the default of the service (20) unless given. */
const POOL_MAX = args.get('pool') ?? '20';
/**
 * Phases to run, any of a, b, c, d; a, b and c by default. (a)/(c) is printed only when both
 * ran; d is the relay, after b.
 */
const PHASES = args.get('phases') ?? 'abc';
/** How long phase (d) may take to drain the outbox before the bench gives up. */
const RELAY_DRAIN_TIMEOUT_MS = 300_000;

const SECRET = 'bench-order-entry-internal-secret-0123456789';
/** Unique per run: the services use this run's own topics, deleted at the end. */
const RUN_ID = newRunId('benchoe');
const TOPIC_PREFIX = `${RUN_ID}.`;
const ORDERS_TOPIC = `${TOPIC_PREFIX}exchange.orders`;
/** 0.1 BTC at 100.00 USDT: 10,000 lots, 10,000 ticks, a lock of 10 USDT (scale 8). */
const ORDER = { symbol: 'BTC-USDT', side: 'BUY', type: 'LIMIT', price: '100.00', quantity: '0.1' };
const ORDER_LOCK_MINOR = 1_000_000_000n;
const USER_FUNDS_MINOR = 10n ** 17n; // 1e9 USDT: never the limit here

/** Bench users get ids the pgbench script can compute from a number. */
const userId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const USER_ID_SQL = `('00000000-0000-4000-8000-' || lpad(:u::text, 12, '0'))::uuid`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function fundUsers(database: TestDatabase): Promise<void> {
  const ids = Array.from({ length: USERS }, (_, i) => userId(i + 1));
  await database.dataSource.transaction(async (manager) => {
    await manager.query(
      `INSERT INTO users (id, name, kind) SELECT id, 'bench-' || ord, 'TRADER'
         FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, ord)`,
      [ids],
    );
    await manager.query(
      `INSERT INTO ledger_entries (journal_id, user_id, account, asset, amount, reason)
       SELECT j, u, a, 'USDT', x, 'DEPOSIT'
         FROM (SELECT gen_random_uuid() AS j, u FROM unnest($1::uuid[]) AS u) users_
        CROSS JOIN (VALUES ('EXTERNAL', -$2::numeric), ('AVAILABLE', $2::numeric)) AS e(a, x)`,
      [ids, USER_FUNDS_MINOR.toString()],
    );
    await manager.query(
      `INSERT INTO balances (user_id, asset, available, locked)
       SELECT u, 'USDT', $2::numeric, 0 FROM unnest($1::uuid[]) AS u`,
      [ids, USER_FUNDS_MINOR.toString()],
    );
  });
}

interface HttpResult {
  status: number;
  body: string;
}

function post(agent: Agent, port: number, path: string, user: string, body: string) {
  return new Promise<HttpResult>((resolve, reject) => {
    const headers = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...signInternalIdentity({
        secret: SECRET,
        userId: user,
        method: 'POST',
        path,
        nowMs: Date.now(),
      }),
    };
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** (a) Single orders: CONCURRENCY loops, each posting one order at a time for PHASE_SECONDS. */
async function singleOrders(port: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latenciesMs: number[] = [];
  let accepted = 0;
  let refused = 0;
  const body = JSON.stringify(ORDER);
  const startedAt = performance.now();
  const endAt = startedAt + PHASE_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      let n = worker;
      while (performance.now() < endAt) {
        const user = userId((n % USERS) + 1);
        n += CONCURRENCY;
        const t0 = performance.now();
        const response = await post(agent, port, '/api/v1/orders', user, body);
        latenciesMs.push(performance.now() - t0);
        if (response.status === 201) accepted += 1;
        else refused += 1;
      }
    }),
  );
  const seconds = (performance.now() - startedAt) / 1000;
  agent.destroy();
  latenciesMs.sort((x, y) => x - y);
  return {
    accepted,
    refused,
    ordersPerSecond: accepted / seconds,
    p50Ms: percentile(latenciesMs, 50),
    p99Ms: percentile(latenciesMs, 99),
  };
}

/** (b) Batches of BATCH_SIZE over HTTP, BATCH_CONCURRENCY in flight, each for another user. */
async function batches(port: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: BATCH_CONCURRENCY });
  const body = JSON.stringify({ orders: Array.from({ length: BATCH_SIZE }, () => ORDER) });
  let accepted = 0;
  let requests = 0;
  const latenciesMs: number[] = [];
  const startedAt = performance.now();
  const endAt = startedAt + PHASE_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: BATCH_CONCURRENCY }, async (_, worker) => {
      let n = worker;
      while (performance.now() < endAt) {
        const user = userId((n % USERS) + 1);
        n += BATCH_CONCURRENCY;
        const t0 = performance.now();
        const response = await post(agent, port, '/api/v1/orders/batch', user, body);
        latenciesMs.push(performance.now() - t0);
        requests += 1;
        if (response.status !== 200)
          throw new Error(`batch answered ${response.status}: ${response.body}`);
        const { results } = JSON.parse(response.body) as { results: { status: string }[] };
        accepted += results.filter((r) => r.status === 'ACCEPTED').length;
      }
    }),
  );
  const seconds = (performance.now() - startedAt) / 1000;
  agent.destroy();
  latenciesMs.sort((x, y) => x - y);
  return {
    accepted,
    requests,
    ordersPerSecond: accepted / seconds,
    batchP50Ms: percentile(latenciesMs, 50),
  };
}

/** Outbox rows still waiting, and the messages they hold (a multi-message row holds many). */
async function pendingOutbox(database: TestDatabase) {
  const [row] = (await database.dataSource.query(
    'SELECT count(*)::int AS rows, coalesce(sum(coalesce(messages, 1)), 0)::int AS messages FROM outbox',
  )) as { rows: number; messages: number }[];
  return row;
}

/**
 * (d) Polls the outbox while the relay drains it. The rate is taken from the first poll that
 * sees progress to the poll that finds it empty, so the relay's start (lock, producer connection)
 * is not counted; the CPU per message covers the whole drain.
 */
async function drainOutbox(database: TestDatabase) {
  const queued = await pendingOutbox(database);
  const deadline = performance.now() + RELAY_DRAIN_TIMEOUT_MS;
  let first: { at: number; messages: number } | undefined;
  for (;;) {
    const pending = await pendingOutbox(database);
    const at = performance.now();
    if (first === undefined && pending.messages < queued.messages)
      first = { at, messages: pending.messages };
    if (pending.rows === 0) {
      const seconds = first === undefined ? NaN : (at - first.at) / 1000;
      return { queued, messagesPerSecond: (first?.messages ?? 0) / seconds };
    }
    if (at > deadline)
      throw new Error(
        `the relay left ${pending.messages} messages after ${RELAY_DRAIN_TIMEOUT_MS} ms`,
      );
    await sleep(20);
  }
}

/** Records on the orders topic of this run (every partition, from its start). */
async function recordsOnKafka(topics: Awaited<ReturnType<typeof createTestTopics>>) {
  const offsets = await withAdmin(topics.kafka, (admin) =>
    admin.fetchTopicOffsets(topics.names[TOPICS.orders.logical]),
  );
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

/** The SQL text of a template-literal constant in a source file (kept in sync with the code). */
function sqlConstant(file: string, name: string): string {
  const source = readFileSync(join(REPO_ROOT, file), 'utf8');
  const match = new RegExp(`const ${name} = \`([\\s\\S]*?)\`;`).exec(source);
  if (!match) throw new Error(`${name} not found in ${file}`);
  return match[1];
}

/** Replaces $1..$n of `sql` with SQL expressions, for pgbench's simple protocol. */
function bind(sql: string, values: readonly string[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => `(${values[Number(n) - 1]})`);
}

/** (c) pgbench script: one TX1 with the application's own two statements. */
function pgbenchScript(payloadBytes: number): string {
  const insertOrders = bind(
    sqlConstant('libs/order-entry/src/insert-orders.ts', 'INSERT_ORDERS_SQL'),
    [
      USER_ID_SQL,
      `'{USDT}'`,
      `'{${ORDER_LOCK_MINOR}}'`,
      'ARRAY[gen_random_uuid()]',
      `'{NULL}'`,
      `'{BTC-USDT}'`,
      `'{BUY}'`,
      `'{LIMIT}'`,
      `'{GTC}'`,
      `'{f}'`,
      `'{NONE}'`,
      `'{10000}'`,
      `'{NULL}'`,
      `'{10000}'`,
      `'{NULL}'`,
      `'{USDT}'`,
      `'{${ORDER_LOCK_MINOR}}'`,
      // A subquery runs once per statement: the one journal id, as the parameter is in the app.
      '(SELECT gen_random_uuid())',
    ],
  );
  const insertOutbox = bind(sqlConstant('libs/outbox/src/write-outbox.ts', 'INSERT_SQL'), [
    `ARRAY['${ORDERS_TOPIC}']`,
    `'{BTC-USDT}'`,
    `convert_to(repeat('x', ${payloadBytes}), 'UTF8')`,
    `'{1}'`,
    `'{${payloadBytes}}'`,
    `ARRAY['{"x-schema-version":"1","x-request-id":"' || gen_random_uuid() || '","x-command-id":"' || gen_random_uuid() || '"}']`,
    `'outbox'`,
    `'{NULL}'`,
  ]);
  const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();
  return [
    `\\set u random(1, ${USERS})`,
    'BEGIN;',
    `${oneLine(insertOrders)};`,
    `${oneLine(insertOutbox)};`,
    'COMMIT;',
    '',
  ].join('\n');
}

function pgbench(databaseUrl: string, payloadBytes: number) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-order-entry-'));
  try {
    const script = join(dir, 'tx1.sql');
    writeFileSync(script, pgbenchScript(payloadBytes));
    const result = spawnSync(
      'pgbench',
      [
        '-n',
        '-M',
        'simple',
        '-c',
        String(CONCURRENCY),
        '-j',
        '2',
        '-T',
        String(PHASE_SECONDS),
        '-f',
        script,
        databaseUrl,
      ],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`pgbench failed:\n${result.stdout}\n${result.stderr}`);
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(result.stdout);
    const failed = /number of failed transactions: (\d+)/.exec(result.stdout);
    const latency = /latency average = ([\d.]+) ms/.exec(result.stdout);
    if (!tps) throw new Error(`no tps in pgbench output:\n${result.stdout}`);
    return {
      tps: Number(tps[1]),
      failed: failed ? Number(failed[1]) : 0,
      latencyAvgMs: latency ? Number(latency[1]) : NaN,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const PROC_TICKS_PER_SECOND = 100;

/** CPU time (user + system) the processes `pids` used so far, in ms; 0 for a pid that is gone. */
function cpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // The fields after the command name, which is in parentheses and may hold spaces.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Not Linux, or the process has exited.
    }
  }
  return (ticks * 1000) / PROC_TICKS_PER_SECOND;
}

/**
 * Measures the CPU a phase costs, which the machine's other load disturbs far less than the
 * rate: the order-service process and the PostgreSQL backends serving its database.
 */
async function measureCpu<T>(
  database: TestDatabase,
  servicePid: number,
  phase: () => Promise<T>,
): Promise<{ result: T; serviceCpuMs: number; postgresCpuMs: number }> {
  const backends = async () =>
    (
      (await database.dataSource.query(
        'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      )) as { pid: number }[]
    ).map((row) => row.pid);
  const before = new Map((await backends()).map((pid) => [pid, cpuMs([pid])]));
  const serviceBefore = cpuMs([servicePid]);
  const result = await phase();
  const serviceCpuMs = cpuMs([servicePid]) - serviceBefore;
  let postgresCpuMs = 0;
  for (const pid of await backends()) postgresCpuMs += cpuMs([pid]) - (before.get(pid) ?? 0);
  return { result, serviceCpuMs, postgresCpuMs };
}

async function countOrders(database: TestDatabase): Promise<number> {
  const [{ n }] = await database.dataSource.query('SELECT count(*)::int AS n FROM orders');
  return n;
}

async function main(): Promise<void> {
  const database = await createTestDatabase('benchoe', { seed: true });
  const topics = await createTestTopics(RUN_ID);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  let service: Awaited<ReturnType<typeof startService>> | undefined;
  try {
    await fundUsers(database);
    service = await startService({
      service: 'order-service',
      env: {
        DATABASE_URL: database.url,
        DATABASE_POOL_MAX: POOL_MAX,
        KAFKA_BROKERS: kafkaBrokersForTests().join(','),
        KAFKA_TOPIC_PREFIX: TOPIC_PREFIX,
        INTERNAL_AUTH_SECRET: SECRET,
        // TX1 alone is measured, as pgbench does: no relay draining the outbox beside it.
        OUTBOX_RELAY_ENABLED: 'false',
        LOG_LEVEL: 'warn',
      },
    });
    const payloadBytes = Buffer.from(
      JSON.stringify(
        encodeCommand({
          type: 'place',
          commandId: userId(1),
          orderId: userId(1),
          userId: userId(1),
          timestampMs: Date.now(),
          symbol: 'BTC-USDT',
          side: 'BUY',
          orderType: 'LIMIT',
          timeInForce: 'GTC',
          postOnly: false,
          stpMode: 'NONE',
          priceTicks: 10000,
          qtyLots: 10000,
        } as PlaceOrderCommand),
      ),
    ).length;

    log(`${PHASE_SECONDS} s per phase, concurrency ${CONCURRENCY}, ${USERS} users`);
    // Warm-up: one order per user (JIT, pool connections, statement caches), not measured.
    const warmAgent = new Agent({ keepAlive: true });
    for (let n = 1; n <= USERS; n += 1)
      await post(warmAgent, service.port, '/api/v1/orders', userId(n), JSON.stringify(ORDER));
    warmAgent.destroy();

    const cpuPerOrder = (cpu: { serviceCpuMs: number; postgresCpuMs: number }, orders: number) => ({
      serviceUs: Math.round((cpu.serviceCpuMs * 1000) / Math.max(orders, 1)),
      postgresUs: Math.round((cpu.postgresCpuMs * 1000) / Math.max(orders, 1)),
    });
    let singleCpu: ReturnType<typeof cpuPerOrder> | undefined;
    let batchCpu: ReturnType<typeof cpuPerOrder> | undefined;
    let single: Awaited<ReturnType<typeof singleOrders>> | undefined;
    if (PHASES.includes('a')) {
      const before = await countOrders(database);
      const port = service.port;
      const measured = await measureCpu(database, service.pid, () => singleOrders(port));
      single = measured.result;
      singleCpu = cpuPerOrder(measured, single.accepted);
      log(
        `(a) single orders over HTTP: ${single.ordersPerSecond.toFixed(0)} orders/s (p50 ${single.p50Ms.toFixed(2)} ms, p99 ${single.p99Ms.toFixed(2)} ms, ${single.refused} refused; CPU per order: order-service ${singleCpu.serviceUs} us, PostgreSQL ${singleCpu.postgresUs} us)`,
      );
      if ((await countOrders(database)) - before !== single.accepted)
        throw new Error('accepted orders and rows differ');
    }

    let batch: Awaited<ReturnType<typeof batches>> | undefined;
    if (PHASES.includes('b')) {
      const before = await countOrders(database);
      const port = service.port;
      const measured = await measureCpu(database, service.pid, () => batches(port));
      batch = measured.result;
      batchCpu = cpuPerOrder(measured, batch.accepted);
      log(
        `(b) batch ingestion over HTTP (${BATCH_SIZE}/batch, ${BATCH_CONCURRENCY} in flight): ${batch.ordersPerSecond.toFixed(0)} orders/s committed (batch p50 ${batch.batchP50Ms.toFixed(1)} ms; CPU per order: order-service ${batchCpu.serviceUs} us, PostgreSQL ${batchCpu.postgresUs} us)`,
      );
      if ((await countOrders(database)) - before !== batch.accepted)
        throw new Error('batch rows differ');
    }

    await service.stop();
    service = undefined;

    let relay:
      | { messages: number; messagesPerSecond: number; serviceUs: number; postgresUs: number }
      | undefined;
    if (PHASES.includes('d')) {
      service = await startService({
        service: 'order-service',
        env: {
          DATABASE_URL: database.url,
          DATABASE_POOL_MAX: POOL_MAX,
          KAFKA_BROKERS: kafkaBrokersForTests().join(','),
          KAFKA_TOPIC_PREFIX: TOPIC_PREFIX,
          INTERNAL_AUTH_SECRET: SECRET,
          LOG_LEVEL: 'warn',
        },
      });
      const measured = await measureCpu(database, service.pid, () => drainOutbox(database));
      // A send that failed and was retried shows here, and as duplicates on Kafka.
      for (const record of service.logRecords())
        if (record.level === 'warn' || record.level === 'error')
          log(`(d) relay ${String(record.level)}: ${JSON.stringify(record).slice(0, 600)}`);
      await service.stop();
      service = undefined;
      const { queued, messagesPerSecond } = measured.result;
      const onKafka = await recordsOnKafka(topics);
      // At least once: fewer records than queued messages would be a lost command.
      if (onKafka < queued.messages)
        throw new Error(`${queued.messages} messages queued, ${onKafka} records on Kafka`);
      relay = {
        messages: queued.messages,
        messagesPerSecond,
        ...cpuPerOrder(measured, queued.messages),
      };
      log(
        `(d) outbox relay to Kafka: ${messagesPerSecond.toFixed(0)} messages/s (${queued.messages} messages in ${queued.rows} rows, ${onKafka} records on Kafka; CPU per message: relay process ${relay.serviceUs} us, PostgreSQL ${relay.postgresUs} us)`,
      );
    }

    let base: ReturnType<typeof pgbench> | undefined;
    if (PHASES.includes('c')) {
      base = pgbench(database.url, payloadBytes);
      log(
        `(c) pgbench, same TX1 SQL, ${CONCURRENCY} clients: ${base.tps.toFixed(0)} tx/s (avg ${base.latencyAvgMs} ms, ${base.failed} failed)`,
      );
    }
    const ratio = single && base ? single.ordersPerSecond / base.tps : undefined;
    if (ratio !== undefined) log(`(a)/(c) = ${(ratio * 100).toFixed(1)} %`);
    const round = (value: number | undefined, digits = 0) =>
      value === undefined ? null : Number(value.toFixed(digits));
    process.stdout.write(
      `${JSON.stringify({
        singleOrdersPerSecond: round(single?.ordersPerSecond),
        singleP50Ms: round(single?.p50Ms, 2),
        singleP99Ms: round(single?.p99Ms, 2),
        singleCpuUsPerOrder: singleCpu ?? null,
        batchOrdersPerSecond: round(batch?.ordersPerSecond),
        batchCpuUsPerOrder: batchCpu ?? null,
        batchP50Ms: round(batch?.batchP50Ms, 1),
        batchSize: BATCH_SIZE,
        batchConcurrency: BATCH_CONCURRENCY,
        relayMessagesPerSecond: round(relay?.messagesPerSecond),
        relayCpuUsPerMessage: relay
          ? { serviceUs: relay.serviceUs, postgresUs: relay.postgresUs }
          : null,
        pgbenchTx1PerSecond: round(base?.tps),
        singleToPgbenchRatio: round(ratio, 3),
        concurrency: CONCURRENCY,
        users: USERS,
        phaseSeconds: PHASE_SECONDS,
      })}\n`,
    );
  } finally {
    await service?.kill9();
    await topics.cleanup();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
