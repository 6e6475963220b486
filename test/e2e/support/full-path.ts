// Helpers of the full-path e2e tests (test/e2e/full-path*.e2e-spec.ts): order-service and the
// matching engines as real processes on one test database and one topic prefix, a trader that
// talks HTTP with gateway-signed identities, an observer of the command and result logs, and the
// end checks every test runs (auditor clean, one result per accepted command, no trade twice).
import type { Consumer, KafkaMessage } from 'kafkajs';
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
  sleep,
  waitFor,
} from '@app/testing';
import { seededFloats } from '@app/domain/testing/prng';

export const INTERNAL_SECRET = 'e2e-full-path-internal-secret-0123456789abcdef';
export const ADMIN_TOKEN = 'e2e-full-path-admin-token-0123456789';

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
/** Longest wait for a consumer to disconnect (one a broker restart left stuck may never). */
const DISCONNECT_TIMEOUT_MS = 5_000;

/** Read-committed observer of the orders (commands) and engine results topics, from the start. */
export class LogObserver {
  readonly commands: ObservedCommand[] = [];
  readonly results: ObservedResult[] = [];
  private consumer: Consumer | undefined;
  private readonly seen = new Set<string>();
  /**
   * Per `topic:partition`, the offset the observer reads next: every record below it, data or
   * transaction marker, committed or aborted, has been read (the data records recorded).
   */
  private readonly positions = new Map<string, bigint>();
  private stopped = false;
  /** Consumers started so far; each restart reads from the start in a group of its own. */
  private starts = 0;

  constructor(private readonly cluster: Cluster) {}

  private get ordersTopic(): string {
    return this.cluster.topic(TOPICS.orders.logical);
  }

  private get resultsTopic(): string {
    return this.cluster.topic(TOPICS.engineResults.logical);
  }

  async start(): Promise<void> {
    const { topics, runId } = this.cluster;
    const ordersTopic = this.ordersTopic;
    const resultsTopic = this.resultsTopic;
    this.starts += 1;
    const consumer = createReadCommittedConsumer(topics.kafka, {
      groupId: this.starts === 1 ? `${runId}-observer` : `${runId}-observer-${this.starts}`,
      // After a broker restart the group waits for the old membership's session to expire
      // before it rebalances; keep that short so the observer does not lag the services.
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      // Restart after a crash (the broker went away) until the test stops the observer or
      // replaces this consumer.
      retry: {
        retries: 100,
        initialRetryTime: 200,
        maxRetryTime: 2_000,
        restartOnFailure: async () => !this.stopped && this.consumer === consumer,
      },
    });
    this.consumer = consumer;
    // The read position. kafkajs emits this after eachBatch has returned, and also for a fetch
    // that held only transaction markers or aborted records (eachBatch never sees those); its
    // lastOffset is the last record fetched, markers included. So position = lastOffset + 1
    // reaches a partition's read-committed end offset (its last stable offset, which counts the
    // markers), as a count of delivered records on a transactional topic never would. A fetch
    // with nothing at or past the requested offset (firstOffset null) reads nothing.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.firstOffset === null || payload.firstOffset === undefined) return;
      this.advance(payload.topic, payload.partition, BigInt(payload.lastOffset) + 1n);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: ordersTopic, fromBeginning: true });
    await consumer.subscribe({ topic: resultsTopic, fromBeginning: true });
    await consumer.run({
      // Synchronous over the whole batch: when END_BATCH_PROCESS comes, all of it is recorded.
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) this.record(batch.topic, batch.partition, message);
      },
    });
  }

  private record(topic: string, partition: number, message: KafkaMessage): void {
    // A consumer that restarts (the broker went away) may be handed records it already saw: a
    // record is its topic, partition and offset, counted once.
    const key = `${topic}:${partition}:${message.offset}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (topic === this.ordersTopic) {
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
  }

  private advance(topic: string, partition: number, next: bigint): void {
    const key = `${topic}:${partition}`;
    if ((this.positions.get(key) ?? 0n) < next) this.positions.set(key, next);
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
   * The partitions of the orders and results topics whose end, fetched now, the observer has
   * not read up to yet, described (empty once it has read everything the services had written
   * before this call). End offsets are read committed: a partition's last stable offset, which
   * a transaction still open holds back. After a broker restart the observer's consumer may take
   * a while to rejoin; until it is back, what it has seen says nothing about what the services
   * did.
   */
  async behind(): Promise<string[]> {
    const topics = [
      { name: 'orders', topic: this.ordersTopic },
      { name: 'results', topic: this.resultsTopic },
    ];
    const ends = await withAdmin(this.cluster.topics.kafka, (admin) =>
      Promise.all(topics.map(({ topic }) => admin.fetchTopicOffsets(topic))),
    );
    const behind: string[] = [];
    topics.forEach(({ name, topic }, i) => {
      for (const end of ends[i]) {
        const position = this.positions.get(`${topic}:${end.partition}`) ?? 0n;
        if (position < BigInt(end.high))
          behind.push(`${name}:${end.partition} read to ${position} of ${end.high}`);
      }
    });
    // The orders topic has no transactions, so every offset below its end is a command: counted,
    // a consumer that skipped records shows as well as one that lags.
    const counts = new Map<number, bigint>();
    for (const c of this.commands) counts.set(c.partition, (counts.get(c.partition) ?? 0n) + 1n);
    for (const end of ends[0]) {
      const count = counts.get(end.partition) ?? 0n;
      if (count < BigInt(end.high) - BigInt(end.low))
        behind.push(`orders:${end.partition} holds ${count} of ${end.low}..${end.high}`);
    }
    return behind;
  }

  /** Commands on the orders topic without a result yet. */
  missingResults(): string[] {
    const counts = this.resultCounts();
    return [...this.commandIds()].filter((id) => !counts.has(id));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await disconnectWithin(this.consumer, DISCONNECT_TIMEOUT_MS);
  }

  /**
   * A fresh consumer reading both topics from the start (records already seen are skipped):
   * for a kafkajs consumer that has not rejoined long after a broker restart. The old one gets
   * a few seconds to disconnect; one stuck past that is left behind (it no longer restarts).
   */
  async restart(): Promise<void> {
    await disconnectWithin(this.consumer, DISCONNECT_TIMEOUT_MS);
    await this.start();
  }
}

async function disconnectWithin(consumer: Consumer | undefined, ms: number): Promise<void> {
  if (consumer === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    consumer.disconnect().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
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
   * Waits until everything accepted has been matched and settled: the outbox is empty, no order
   * is NEW or waiting for its cancel, settlement has applied every committed result, the
   * observer has read the orders and results topics up to end offsets fetched after all of that
   * held, and every command it read has a visible result. Holds only once two probes in a row
   * pass, so that the second one's end offsets were fetched after the services were seen
   * quiescent and anything they wrote late (a redelivered duplicate) has been read.
   */
  async waitQuiescent(timeoutMs = 60_000): Promise<void> {
    const db = this.database.dataSource;
    const resultsTopic = this.topic(TOPICS.engineResults.logical);
    const probe = async () => {
      // The services first: the log end offsets fetched next then cover whatever they had
      // written by the time they looked done.
      const [{ outbox, pending }] = (await db.query(
        `SELECT (SELECT count(*)::int FROM outbox) AS outbox,
                (SELECT count(*)::int FROM orders
                  WHERE status = 'NEW'
                     OR (cancel_requested AND status IN ('OPEN', 'PARTIALLY_FILLED'))) AS pending`,
      )) as { outbox: number; pending: number }[];
      const catchUp = await settlementCatchUp(db, this.topics.kafka, resultsTopic);
      const behind = catchUp.filter((p) => !p.caughtUp).map((p) => p.partition);
      // Then the observer against end offsets fetched now, on both topics.
      const observerBehind = await this.observer.behind();
      // Only then what it has seen: a command it read after the end offsets were fetched makes
      // this count higher, never lower.
      const missing = this.observer.missingResults().length;
      return { outbox, pending, behind, observerBehind, missing };
    };
    const startedAt = Date.now();
    const firstMet: Record<string, number> = {};
    const met = (name: string, ok: boolean) => {
      if (ok) firstMet[name] ??= Date.now() - startedAt;
      else delete firstMet[name];
      return ok;
    };
    let observerStuckSince: number | undefined;
    let passes = 0;
    await waitFor(
      'the exchange to settle everything accepted and the observer to read all of it',
      async () => {
        // A probe that throws (a dependency restarting) breaks the run of passes too.
        const previous = passes;
        passes = 0;
        const p = await probe();
        // Everything settled but the observer has not read either log to its end for a while:
        // its consumer is stuck (kafkajs after a broker restart), not the services. Give it a
        // fresh consumer.
        const servicesDone = p.outbox === 0 && p.pending === 0 && p.behind.length === 0;
        if (servicesDone && p.observerBehind.length > 0) {
          observerStuckSince ??= Date.now();
          if (Date.now() - observerStuckSince > OBSERVER_STUCK_MS) {
            console.log(`observer behind (${p.observerBehind.join(', ')}): restarting it`);
            observerStuckSince = undefined;
            await this.observer.restart();
          }
        } else observerStuckSince = undefined;
        // Evaluate every condition, to record when each one first held for good.
        const ok = [
          met('outboxEmptyMs', p.outbox === 0),
          met('settlementCaughtUpMs', p.behind.length === 0),
          met('ordersSettledMs', p.pending === 0),
          met('observerCaughtUpMs', p.observerBehind.length === 0),
          met('resultsVisibleMs', p.missing === 0),
        ].every(Boolean);
        passes = ok ? previous + 1 : 0;
        return passes >= 2;
      },
      timeoutMs,
      async () => `${JSON.stringify(await probe().catch(String))}\n${this.engineLogs()}`,
    );
    this.lastQuiescence = firstMet;
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
  /**
   * Stop placing after this many accepted orders in total: a bound on a flow that is never
   * stopped. `waitAccepted` throws if it would stop the flow short of its target.
   */
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
    this.random = seededFloats(options.seed);
  }

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.workers }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /**
   * Resolves when `count` more orders have been accepted. Throws at once if the flow is not
   * running or would stop at its `maxOrders` cap before that, and after `timeoutMs` with the
   * flow's counters.
   */
  async waitAccepted(count: number, timeoutMs = 30_000): Promise<void> {
    const from = this.accepted.length;
    const target = from + count;
    if (target > this.options.maxOrders)
      throw new Error(
        `cannot wait for ${count} more accepted orders: ${from} accepted, and the flow stops ` +
          `placing at maxOrders ${this.options.maxOrders}; raise the flow's maxOrders`,
      );
    if (!this.running)
      throw new Error(`cannot wait for ${count} more accepted orders: flow stopped`);
    await waitFor(
      `${count} more accepted orders (from ${from}, to ${target})`,
      () => this.accepted.length >= target,
      timeoutMs,
      () =>
        `${this.accepted.length} accepted, ${this.networkErrors} network errors, statuses ` +
        JSON.stringify(Object.fromEntries(this.statuses)),
    );
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
