// Helpers of the full-path e2e tests (test/e2e/full-path*.e2e-spec.ts): order-service and the
// matching engines as real processes on one test database and one topic prefix, a trader that
// talks HTTP with gateway-signed identities, an observer of the command and result logs, and the
// end checks every test runs (auditor clean, one result per accepted command, no trade twice).
import type { Consumer } from 'kafkajs';
import { signInternalIdentity } from '@app/auth';
import { loadMarkets, recordDeposit } from '@app/database';
import { decodeCommand, MatchingEngine } from '@app/domain';
import {
  TOPICS,
  createReadCommittedConsumer,
  decodeEngineResultRecord,
  defaultTopicSpecs,
  readHeader,
  withAdmin,
  type KafkaLogLevel,
} from '@app/messaging';
import { runAudit, settlementCatchUp, type AuditReport } from '@app/settlement';
import {
  createTestDatabase,
  createTestTopics,
  kafkaBrokersForTests,
  newRunId,
  startService,
  type ServiceProcess,
  type TestDatabase,
  type TestTopics,
} from '@app/testing';

export const INTERNAL_SECRET = 'e2e-full-path-internal-secret-0123456789abcdef';
export const ADMIN_TOKEN = 'e2e-full-path-admin-token-0123456789';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(
  what: string,
  predicate: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  describeState?: () => Promise<string> | string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await predicate()) return;
    } catch {
      // A dependency restarting: try again.
    }
    await sleep(100);
  }
  const state = describeState ? `: ${await describeState()}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state}`);
}

/** Seeded PRNG (mulberry32), so a failing flow can be replayed from its printed seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface HttpResult {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface EngineState {
  role: string;
  fencingToken: string | null;
  consuming: boolean;
  symbols: Record<string, { stateHash: string; eventSeq: number; openOrders: number }>;
}

interface ObservedResult {
  partition: number;
  offset: string;
  commandId: string;
  status: string;
  fencingToken: string;
  trades: { symbol: string; tradeSeq: number }[];
}

interface ObservedCommand {
  partition: number;
  offset: bigint;
  commandId: string;
  value: Buffer;
}

/** How long the observer may trail services that are done before it gets a fresh consumer. */
const OBSERVER_STUCK_MS = 15_000;

/** Read-committed observer of the orders (commands) and engine results topics, from the start. */
export class LogObserver {
  readonly commands: ObservedCommand[] = [];
  readonly results: ObservedResult[] = [];
  private consumer: Consumer | undefined;
  private readonly seen = new Set<string>();
  private stopped = false;
  /** Consumers started so far; each restart reads from the start in a group of its own. */
  private starts = 0;

  constructor(private readonly cluster: Cluster) {}

  async start(): Promise<void> {
    const { topics, runId } = this.cluster;
    const ordersTopic = this.cluster.topic(TOPICS.orders.logical);
    const resultsTopic = this.cluster.topic(TOPICS.engineResults.logical);
    this.starts += 1;
    this.consumer = createReadCommittedConsumer(topics.kafka, {
      groupId: this.starts === 1 ? `${runId}-observer` : `${runId}-observer-${this.starts}`,
      // After a broker restart the group waits for the old membership's session to expire
      // before it rebalances; keep that short so the observer does not lag the services.
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      // Restart after a crash (the broker went away) until the test stops the observer.
      retry: {
        retries: 100,
        initialRetryTime: 200,
        maxRetryTime: 2_000,
        restartOnFailure: async () => !this.stopped,
      },
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: ordersTopic, fromBeginning: true });
    await this.consumer.subscribe({ topic: resultsTopic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        // A consumer that restarts (the broker went away) may be handed records it already
        // saw: a record is its topic, partition and offset, counted once.
        const key = `${topic}:${partition}:${message.offset}`;
        if (this.seen.has(key)) return;
        this.seen.add(key);
        if (topic === ordersTopic) {
          this.commands.push({
            partition,
            offset: BigInt(message.offset),
            commandId: readHeader(message.headers, 'x-command-id') ?? '',
            value: message.value as Buffer,
          });
        } else {
          for (const envelope of decodeEngineResultRecord(message.value as Buffer))
            this.results.push({
              partition,
              offset: message.offset,
              commandId: envelope.result.commandId,
              status: envelope.result.status,
              fencingToken: String(envelope.fencingToken),
              trades: envelope.result.trades.map((t) => ({
                symbol: envelope.result.symbol,
                tradeSeq: t.tradeSeq,
              })),
            });
        }
      },
    });
  }

  commandIds(): Set<string> {
    return new Set(this.commands.map((c) => c.commandId));
  }

  resultCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.results) counts.set(r.commandId, (counts.get(r.commandId) ?? 0) + 1);
    return counts;
  }

  /**
   * Partitions of the orders topic whose end the observer has not reached yet. After a broker
   * restart its consumer may take a while to rejoin; until it is back, what it has seen says
   * nothing about what the services did.
   */
  async ordersBehind(): Promise<number[]> {
    const topic = this.cluster.topic(TOPICS.orders.logical);
    const ends = await withAdmin(this.cluster.topics.kafka, (admin) =>
      admin.fetchTopicOffsets(topic),
    );
    // Every offset below the end, counted: a lagging observer and one that skipped both show.
    const seen = new Map<number, bigint>();
    for (const c of this.commands) seen.set(c.partition, (seen.get(c.partition) ?? 0n) + 1n);
    return ends
      .filter((end) => (seen.get(end.partition) ?? 0n) < BigInt(end.high) - BigInt(end.low))
      .map((end) => end.partition);
  }

  /** Commands on the orders topic without a result yet. */
  missingResults(): string[] {
    const counts = this.resultCounts();
    return [...this.commandIds()].filter((id) => !counts.has(id));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer?.disconnect().catch(() => undefined);
  }

  /**
   * A fresh consumer reading both topics from the start (records already seen are skipped):
   * for a kafkajs consumer that has not rejoined long after a broker restart.
   */
  async restart(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    await this.start();
  }
}

export interface ClusterOptions {
  /** Extra environment of every engine. */
  engineEnv?: Record<string, string>;
  /** Extra environment of order-service. */
  orderServiceEnv?: Record<string, string>;
  /** Log level of the test's own Kafka client (a broker-restart test expects its errors). */
  kafkaLogLevel?: KafkaLogLevel;
}

/** One exchange: a seeded database, a topic prefix, order-service and engines as processes. */
export class Cluster {
  readonly runId: string;
  database!: TestDatabase;
  topics!: TestTopics;
  users!: Record<string, string>;
  orderService: ServiceProcess | undefined;
  private orderServicePort = 0;
  readonly engines = new Map<string, ServiceProcess>();
  readonly processes: ServiceProcess[] = [];
  observer!: LogObserver;
  /** When each condition of the last `waitQuiescent` first held, from its start. */
  lastQuiescence: Record<string, number> = {};

  constructor(
    label: string,
    private readonly options: ClusterOptions = {},
  ) {
    this.runId = newRunId(label);
  }

  topic(logical: string): string {
    return this.topics.names[logical];
  }

  baseEnv(): Record<string, string> {
    return {
      DATABASE_URL: this.database.url,
      DATABASE_POOL_MAX: '5',
      KAFKA_BROKERS: kafkaBrokersForTests().join(','),
      KAFKA_TOPIC_PREFIX: this.topics.prefix,
      LOG_LEVEL: 'info',
    };
  }

  /** Database (seeded, plus `extraTraders` funded like bob), topics, observer. */
  async setUp(extraTraders: string[] = []): Promise<void> {
    this.database = await createTestDatabase(this.runId, { seed: true, poolSizeMax: 8 });
    this.topics = await createTestTopics(
      this.runId,
      defaultTopicSpecs(),
      this.options.kafkaLogLevel ?? 'error',
    );
    const db = this.database.dataSource;
    for (const name of extraTraders) {
      await db.transaction(async (manager) => {
        const [{ id }] = (await manager.query(
          `INSERT INTO users (name, kind) VALUES ($1, 'TRADER') RETURNING id::text AS id`,
          [name],
        )) as { id: string }[];
        for (const [asset, amount] of [
          ['USDT', 50_000n],
          ['BTC', 5n],
          ['ETH', 50n],
        ] as const) {
          await recordDeposit(manager, {
            userId: id,
            asset,
            amount: amount * 100_000_000n,
            refType: 'TEST',
            refId: name,
          });
        }
      });
    }
    const rows = (await db.query(`SELECT name, id::text AS id FROM users`)) as {
      name: string;
      id: string;
    }[];
    this.users = Object.fromEntries(rows.map((r) => [r.name, r.id]));
    this.observer = new LogObserver(this);
    await this.observer.start();
  }

  async startOrderService(): Promise<ServiceProcess> {
    const service = await startService({
      service: 'order-service',
      port: this.orderServicePort || undefined,
      env: {
        ...this.baseEnv(),
        NODE_ENV: 'test',
        INTERNAL_AUTH_SECRET: INTERNAL_SECRET,
        ADMIN_API_TOKEN: ADMIN_TOKEN,
        OUTBOX_RELAY_ENABLED: 'true',
        SETTLEMENT_ENABLED: 'true',
        ...this.options.orderServiceEnv,
      },
    });
    this.orderServicePort = service.port;
    this.orderService = service;
    this.processes.push(service);
    return service;
  }

  async startEngine(name: string, waitReady = true): Promise<ServiceProcess> {
    const engine = await startService({
      service: 'matching-engine',
      waitReady,
      env: {
        ...this.baseEnv(),
        ENGINE_INSTANCE_ID: `${this.runId}-${name}`,
        ...this.options.engineEnv,
      },
    });
    this.engines.set(name, engine);
    this.processes.push(engine);
    return engine;
  }

  async engineState(engine: ServiceProcess): Promise<EngineState | undefined> {
    if (!engine.running) return undefined;
    try {
      const { status, body } = await withTimeout(engine.get('/engine/state'), 1_000);
      return status === 200 ? (body as EngineState) : undefined;
    } catch {
      return undefined; // paused, or not listening yet
    }
  }

  /** The engine that is active and consuming, if any. */
  async leader(): Promise<
    { name: string; engine: ServiceProcess; state: EngineState } | undefined
  > {
    for (const [name, engine] of this.engines) {
      const state = await this.engineState(engine);
      if (state?.role === 'active' && state.consuming) return { name, engine, state };
    }
    return undefined;
  }

  async waitLeader(
    timeoutMs = 30_000,
  ): Promise<{ name: string; engine: ServiceProcess; state: EngineState }> {
    let found: Awaited<ReturnType<Cluster['leader']>>;
    await waitFor(
      'an engine to lead and consume',
      async () => (found = await this.leader()) !== undefined,
      timeoutMs,
      () => this.engineLogs(),
    );
    return found!;
  }

  engineLogs(lines = 30): string {
    return [...this.engines]
      .map(
        ([name, e]) =>
          `--- engine ${name}:\n${e
            .logs()
            .split('\n')
            .filter((l) => !l.includes('"ns":"kafkajs'))
            .slice(-lines)
            .join('\n')}`,
      )
      .join('\n');
  }

  /** An HTTP request to order-service as `user` (a name, signed identity) or as the operator. */
  async request(
    user: string | 'admin',
    method: string,
    path: string,
    body?: unknown,
  ): Promise<HttpResult> {
    if (this.orderService === undefined) throw new Error('order-service not started');
    const headers: Record<string, string> =
      user === 'admin'
        ? { authorization: `Bearer ${ADMIN_TOKEN}` }
        : signInternalIdentity({
            secret: INTERNAL_SECRET,
            userId: this.users[user],
            method,
            path,
            nowMs: Date.now(),
          });
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`http://127.0.0.1:${this.orderServicePort}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON.
    }
    return { status: response.status, body: parsed };
  }

  /**
   * Waits until everything accepted has been matched and settled: the outbox is empty, the
   * observer has read the whole orders topic and every command on it has a visible result, no order is NEW or waiting for its
   * cancel, and settlement has applied every committed result.
   */
  async waitQuiescent(timeoutMs = 60_000): Promise<void> {
    const db = this.database.dataSource;
    const resultsTopic = this.topic(TOPICS.engineResults.logical);
    const probe = async () => {
      const [{ outbox, pending }] = (await db.query(
        `SELECT (SELECT count(*)::int FROM outbox) AS outbox,
                (SELECT count(*)::int FROM orders
                  WHERE status = 'NEW'
                     OR (cancel_requested AND status IN ('OPEN', 'PARTIALLY_FILLED'))) AS pending`,
      )) as { outbox: number; pending: number }[];
      const missing = this.observer.missingResults().length;
      const observerBehind = await this.observer.ordersBehind();
      const catchUp = await settlementCatchUp(db, this.topics.kafka, resultsTopic);
      const behind = catchUp.filter((p) => !p.caughtUp).map((p) => p.partition);
      return { outbox, pending, missing, behind, observerBehind };
    };
    const startedAt = Date.now();
    const firstMet: Record<string, number> = {};
    const met = (name: string, ok: boolean) => {
      if (ok) firstMet[name] ??= Date.now() - startedAt;
      else delete firstMet[name];
      return ok;
    };
    let observerStuckSince: number | undefined;
    await waitFor(
      'the exchange to settle everything accepted',
      async () => {
        const p = await probe();
        // Everything settled but the observer has not read it all for a while: its consumer is
        // stuck (kafkajs after a broker restart), not the services. Give it a fresh consumer.
        const servicesDone = p.outbox === 0 && p.pending === 0 && p.behind.length === 0;
        if (servicesDone && p.observerBehind.length > 0) {
          observerStuckSince ??= Date.now();
          if (Date.now() - observerStuckSince > OBSERVER_STUCK_MS) {
            console.log(`observer behind on ${p.observerBehind.join(', ')}: restarting it`);
            await this.observer.restart();
            observerStuckSince = undefined;
          }
        } else observerStuckSince = undefined;
        // Evaluate every condition, to record when each one first held for good.
        const ok = [
          met('outboxEmptyMs', p.outbox === 0),
          met('observerCaughtUpMs', p.observerBehind.length === 0),
          met('resultsVisibleMs', p.missing === 0),
          met('settlementCaughtUpMs', p.behind.length === 0),
          met('ordersSettledMs', p.pending === 0),
        ];
        return ok.every(Boolean);
      },
      timeoutMs,
      async () => `${JSON.stringify(await probe().catch(String))}\n${this.engineLogs()}`,
    );
    this.lastQuiescence = firstMet;
    // A redelivered duplicate would show up now, if at all.
    await sleep(1_000);
  }

  /**
   * The end checks of every full-path test: the auditor finds nothing; every accepted order id
   * and every command on the orders topic got exactly one engine result (read committed);
   * no trade (symbol, tradeSeq) is in the trades table or the result log twice, and the table
   * holds exactly the trades of the log.
   */
  async expectConsistent(acceptedOrderIds: Iterable<string>): Promise<AuditReport> {
    const db = this.database.dataSource;
    const report = await runAudit(db);
    const failing = report.checks.filter((c) => c.violations > 0);
    expect(failing).toEqual([]);
    expect(report.violations).toBe(0);

    const counts = this.observer.resultCounts();
    const twice = [...counts].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
    const commandIds = this.observer.commandIds();
    const accepted = [...acceptedOrderIds];
    expect(accepted.filter((id) => !commandIds.has(id))).toEqual([]);
    expect(accepted.filter((id) => counts.get(id) !== 1)).toEqual([]);
    expect([...commandIds].filter((id) => counts.get(id) !== 1)).toEqual([]);
    // Nothing has a result that was never commanded.
    expect([...counts.keys()].filter((id) => !commandIds.has(id))).toEqual([]);

    const duplicateTrades = (await db.query(
      `SELECT symbol, trade_seq::text AS trade_seq, count(*)::int AS n FROM trades
        GROUP BY symbol, trade_seq HAVING count(*) > 1`,
    )) as unknown[];
    expect(duplicateTrades).toEqual([]);
    const logTrades = this.observer.results.flatMap((r) =>
      r.trades.map((t) => `${t.symbol}:${t.tradeSeq}`),
    );
    expect(new Set(logTrades).size).toBe(logTrades.length);
    const tableTrades = (
      (await db.query(`SELECT symbol, trade_seq::text AS trade_seq FROM trades`)) as {
        symbol: string;
        trade_seq: string;
      }[]
    ).map((t) => `${t.symbol}:${t.trade_seq}`);
    expect(new Set(tableTrades)).toEqual(new Set(logTrades));
    // Every order in the database (accepted with or without the client seeing the answer) had
    // its place command matched exactly once (a place's commandId is its orderId).
    const orderIds = (
      (await db.query(`SELECT id::text AS id FROM orders`)) as { id: string }[]
    ).map((o) => o.id);
    expect(orderIds.filter((id) => counts.get(id) !== 1)).toEqual([]);
    // Every order the API accepted is in a final or resting state the engine gave it.
    const [{ notMatched }] = (await db.query(
      `SELECT count(*)::int AS "notMatched" FROM orders WHERE status = 'NEW'`,
    )) as { notMatched: number }[];
    expect(notMatched).toBe(0);
    return report;
  }

  /**
   * Per market, the state hash and eventSeq of a reference engine fed the orders topic in
   * offset order per partition (a market's commands share one partition). Duplicates of a
   * command (the relay is at least once) come out DUPLICATE there too and change nothing.
   */
  async referenceState(): Promise<Record<string, { stateHash: string; eventSeq: number }>> {
    const markets = await loadMarkets(this.database.dataSource);
    const reference = new MatchingEngine({ markets: [...markets.values()] });
    const records = [...this.observer.commands].sort((a, b) =>
      a.partition !== b.partition
        ? a.partition - b.partition
        : a.offset < b.offset
          ? -1
          : a.offset > b.offset
            ? 1
            : 0,
    );
    for (const record of records) {
      reference.apply(decodeCommand(JSON.parse(record.value.toString('utf8'))));
    }
    return Object.fromEntries(
      reference
        .symbols()
        .map((s) => [
          s,
          { stateHash: reference.stateHash(s), eventSeq: reference.book(s)!.snapshot().eventSeq },
        ]),
    );
  }

  /** The leader's per-market stateHash and eventSeq equal the reference replay's. */
  async expectLeaderMatchesReplay(engine: ServiceProcess): Promise<void> {
    const expected = await this.referenceState();
    let state: EngineState | undefined;
    await waitFor(
      'the leader to have applied every command',
      async () => {
        state = await this.engineState(engine);
        return Object.entries(expected).every(
          ([s, e]) => state?.symbols[s]?.eventSeq === e.eventSeq,
        );
      },
      20_000,
      () => JSON.stringify({ expected, state }),
    );
    const actual = Object.fromEntries(
      Object.entries(state!.symbols).map(([s, v]) => [
        s,
        { stateHash: v.stateHash, eventSeq: v.eventSeq },
      ]),
    );
    expect(actual).toEqual(expected);
  }

  async tearDown(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.kill9().catch(() => undefined)));
    await this.observer?.stop();
    await this.topics?.cleanup().catch(() => undefined);
    await this.database?.drop();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms)),
  ]);
}

export interface FlowOptions {
  traders: string[];
  /** Concurrent HTTP clients. */
  workers: number;
  /** Stop placing after this many accepted orders in total. */
  maxOrders: number;
  /** Pause between requests of one worker. */
  pauseMs: number;
  seed: number;
}

/**
 * Traders placing crossing limit orders around a mid price on both markets and cancelling some
 * of their open ones, over HTTP. Records the ids of the accepted orders (201). Requests that
 * fail on the network (order-service killed or restarting) are counted and not retried: their
 * outcome is unknown to the client, and the end checks read the orders topic for those.
 */
export class TraderFlow {
  readonly accepted: string[] = [];
  readonly cancelsAccepted: string[] = [];
  readonly statuses = new Map<number, number>();
  networkErrors = 0;
  private readonly random: () => number;
  private readonly open = new Map<string, string[]>();
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly options: FlowOptions,
  ) {
    this.random = prng(options.seed);
  }

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.workers }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Resolves when `count` more orders have been accepted (or the cap is reached). */
  async waitAccepted(count: number, timeoutMs = 30_000): Promise<void> {
    const target = Math.min(this.accepted.length + count, this.options.maxOrders);
    await waitFor(`${count} more accepted orders`, () => this.accepted.length >= target, timeoutMs);
  }

  private async loop(): Promise<void> {
    while (this.running && this.accepted.length < this.options.maxOrders) {
      try {
        await this.step();
      } catch {
        this.networkErrors += 1;
        await sleep(100);
      }
      await sleep(this.options.pauseMs);
    }
  }

  private count(status: number) {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }

  private async step(): Promise<void> {
    const r = this.random;
    const trader = this.options.traders[Math.floor(r() * this.options.traders.length)];
    const open = this.open.get(trader) ?? [];
    this.open.set(trader, open);
    if (open.length > 0 && r() < 0.25) {
      const [orderId] = open.splice(Math.floor(r() * open.length), 1);
      const res = await this.cluster.request(trader, 'DELETE', `/api/v1/orders/${orderId}`);
      this.count(res.status);
      if (res.status === 202) this.cancelsAccepted.push(orderId);
      return;
    }
    const btc = r() < 0.5;
    const side = r() < 0.5 ? 'BUY' : 'SELL';
    // Prices within a few ticks of a mid, so orders cross often and books stay shallow.
    const price = btc
      ? (30_000 + Math.floor(r() * 11) - 5).toFixed(2)
      : (2_000 + (Math.floor(r() * 11) - 5) / 100).toFixed(2);
    const quantity = btc
      ? (0.001 + Math.floor(r() * 20) / 10_000).toFixed(5)
      : (0.01 + Math.floor(r() * 20) / 1_000).toFixed(4);
    const res = await this.cluster.request(trader, 'POST', '/api/v1/orders', {
      symbol: btc ? 'BTC-USDT' : 'ETH-USDT',
      side,
      type: 'LIMIT',
      price,
      quantity,
    });
    this.count(res.status);
    if (res.status === 201) {
      this.accepted.push(res.body.orderId);
      open.push(res.body.orderId);
    }
  }
}
