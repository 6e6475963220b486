// Proves that a real order-service process says so when settlement stalls (design invariant 8): with SETTLEMENT_STALL_MS=3000 and a result published while a test transaction holds the partition's settlement_checkpoints row FOR UPDATE (which TX2 locks first), /health/ready turns 503 naming the partition, lag and idle seconds within the bound and not before it, /health/live stays 200 with those facts, the lag and idle-seconds gauges are above 0, one error line marks the start (the only error line this test expects), while an instance without SETTLEMENT_ENABLED stays ready and silent; once the lock is released the result settles and everything returns to ready, lag 0, with one info line.
import { Client } from 'pg';
import type { Producer } from 'kafkajs';
import {
  createTestTopics,
  newRunId,
  startService,
  waitFor,
  type ServiceProcess,
  type TestTopics,
} from '@app/testing';
import {
  createSettlementFixture,
  createTrader,
  encodeResults,
  expectAuditClean,
  orderRow,
  place,
  RESULTS_LOGICAL,
  type SettlementFixture,
} from '../integration/settlement/settlement-helpers';

/** The stall bound the service runs with: short for the test, two polls and more. */
const STALL_MS = 3_000;
/** Room beyond the bound for the guard's poll interval (1 s) and a loaded machine. */
const DETECT_SLACK_MS = 7_000;
const STALL_LOG =
  'settlement stalled: the results log is ahead of the checkpoint, which has not moved';
const RECOVERY_LOG = 'settlement progresses again after a stall';

interface Health {
  status: string;
  info?: Record<string, Record<string, unknown>>;
  error?: Record<string, { status: string; message?: string }>;
}

interface SettlementDetails {
  stallBoundSeconds: number;
  lagOffsets: number;
  lagging: { partition: number; lagOffsets: number; secondsSinceProgress: number }[];
  stalled: { partition: number }[];
}

/** The value of `name` for `partition` (or unlabelled) in a Prometheus text exposition. */
function metric(text: string, name: string, partition?: number): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (partition !== undefined && !line.includes(`partition="${partition}"`)) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('order-service reports a stalled settlement', () => {
  const runId = newRunId('setstall');
  let f: SettlementFixture;
  let topics: TestTopics;
  let producer: Producer;
  let locker: Client | undefined;
  const processes: ServiceProcess[] = [];

  beforeAll(async () => {
    f = await createSettlementFixture(runId);
    topics = await createTestTopics(runId);
    producer = topics.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await locker?.end().catch(() => undefined);
    await Promise.all(processes.map((p) => p.stop()));
    await producer?.disconnect();
    await topics?.cleanup();
    await f?.database.drop();
  });

  const start = async (env: Record<string, string>) => {
    const service = await startService({
      service: 'order-service',
      env: {
        DATABASE_URL: f.database.url,
        KAFKA_TOPIC_PREFIX: topics.prefix,
        OUTBOX_RELAY_ENABLED: 'false',
        SETTLEMENT_STALL_MS: String(STALL_MS),
        ...env,
      },
    });
    processes.push(service);
    // Every JSON line from the start, beyond the ones ServiceProcess keeps.
    const lines: Record<string, unknown>[] = [];
    service.onLine((line) => {
      if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    logs.set(service, lines);
    return service;
  };
  const logs = new Map<ServiceProcess, Record<string, unknown>[]>();
  const logOf = (service: ServiceProcess) => logs.get(service) ?? [];

  it('fails readiness and raises the gauges while stalled, and recovers', async () => {
    const [settling, entryOnly] = await Promise.all([
      start({}),
      start({ SETTLEMENT_ENABLED: 'false' }),
    ]);
    const resultsTopic = topics.names[RESULTS_LOGICAL];
    const buyer = await createTrader(f, { USDT: 10_000n * 100_000_000n });
    const seller = await createTrader(f, { BTC: 100_000_000n });
    const order = (userId: string, side: 'BUY' | 'SELL') =>
      place(f, {
        userId,
        symbol: 'BTC-USDT',
        side,
        orderType: 'LIMIT',
        priceTicks: 3_000_000,
        qtyLots: 1_000,
      });
    const sell = await order(seller, 'SELL');
    const buy = await order(buyer, 'BUY');
    const publish = async (command: typeof sell) => {
      const [value] = encodeResults(f, [f.engine.apply(command)]);
      await producer.send({ topic: resultsTopic, messages: [{ key: 'BTC-USDT', value }] });
    };

    // The resting sell settles normally, which creates its partition's checkpoint row.
    await publish(sell);
    await waitFor(
      'the sell to be settled',
      async () => (await orderRow(f, sell.orderId)).status === 'OPEN',
    );
    const [{ partition }] = (await f.dataSource.query(
      `SELECT partition FROM settlement_checkpoints WHERE topic = $1`,
      [resultsTopic],
    )) as { partition: number }[];

    // Hold the checkpoint row: TX2 of the next result waits on it, and settlement stands still.
    locker = new Client({ connectionString: f.database.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(
      `SELECT * FROM settlement_checkpoints WHERE topic = $1 AND partition = $2 FOR UPDATE`,
      [resultsTopic, partition],
    );
    await publish(buy);
    const published = Date.now();

    let ready: Health | undefined;
    await waitFor(
      'readiness to report the stall',
      async () => {
        const response = await settling.get('/health/ready');
        ready = response.body as Health;
        return response.status === 503;
      },
      STALL_MS + DETECT_SLACK_MS,
      () => `${JSON.stringify(ready)}\n${settling.logs()}`,
    );
    // Not before the bound: the guard cannot have seen the lag before it was published.
    expect(Date.now() - published).toBeGreaterThanOrEqual(STALL_MS);
    const message = ready?.error?.settlement?.message ?? '';
    expect(message).toMatch(
      new RegExp(
        `^settlement stalled: no progress on partition ${partition} \\(1 offsets behind, [0-9.]+ s\\) ` +
          `for longer than the 3 s bound$`,
      ),
    );
    expect(ready?.error?.kafka).toBeUndefined();
    expect(ready?.error?.database).toBeUndefined();

    // Liveness is not failed by a stall, but it carries the facts.
    const live = await settling.get('/health/live');
    expect(live.status).toBe(200);
    const details = (live.body as Health).info?.process?.settlement as SettlementDetails;
    expect(details).toMatchObject({ stallBoundSeconds: 3, lagOffsets: 1 });
    expect(details.lagging).toHaveLength(1);
    expect(details.lagging[0]).toMatchObject({ partition, lagOffsets: 1 });
    expect(details.lagging[0].secondsSinceProgress).toBeGreaterThanOrEqual(STALL_MS / 1_000);
    expect(details.stalled.map((p) => p.partition)).toEqual([partition]);

    const stalledMetrics = (await settling.get('/metrics')).text;
    expect(metric(stalledMetrics, 'settlement_checkpoint_lag_offsets', partition)).toBe(1);
    expect(
      metric(stalledMetrics, 'settlement_seconds_since_progress', partition),
    ).toBeGreaterThanOrEqual(STALL_MS / 1_000);
    expect(metric(stalledMetrics, 'settlement_stalled_partitions')).toBe(1);

    // An instance that does not run settlement says nothing about it.
    const other = await entryOnly.get('/health/ready');
    expect(other.status).toBe(200);
    expect(Object.keys((other.body as Health).info ?? {}).sort()).toEqual([
      'database',
      'kafka',
      'process',
    ]);
    expect((other.body as Health).info?.process?.settlement).toBeUndefined();
    expect(metric((await entryOnly.get('/metrics')).text, 'settlement_stalled_partitions')).toBe(
      undefined,
    );

    // Release the lock: the waiting TX2 commits, and the service is ready again.
    await locker.query('ROLLBACK');
    await locker.end();
    locker = undefined;
    await waitFor(
      'readiness to recover',
      async () => (await settling.get('/health/ready')).status === 200,
      DETECT_SLACK_MS,
    );
    expect(await orderRow(f, buy.orderId)).toMatchObject({ status: 'FILLED', locked_amount: '0' });
    const recovered = (await settling.get('/metrics')).text;
    expect(metric(recovered, 'settlement_checkpoint_lag_offsets', partition)).toBe(0);
    expect(metric(recovered, 'settlement_seconds_since_progress', partition)).toBe(0);
    expect(metric(recovered, 'settlement_stalled_partitions')).toBe(0);
    const liveAfter = (await settling.get('/health/live')).body as Health;
    expect(liveAfter.info?.process?.settlement).toMatchObject({ lagOffsets: 0, stalled: [] });

    // One error line when the stall began (expected by this test), one info line at its end,
    // and no other error line from either process.
    await waitFor('the recovery log line', () =>
      logOf(settling).some((line) => line.msg === RECOVERY_LOG),
    );
    const records = logOf(settling);
    const errors = records.filter((line) => line.level === 'error');
    expect(errors.map((line) => line.msg)).toEqual([STALL_LOG]);
    expect(errors[0]).toMatchObject({
      stalled: [expect.objectContaining({ partition, lagOffsets: 1, stalled: true })],
    });
    expect(records.filter((line) => line.msg === RECOVERY_LOG)).toHaveLength(1);
    expect(logOf(entryOnly).filter((line) => line.level === 'error')).toEqual([]);
    await expectAuditClean(f.dataSource);
  }, 120_000);
});
