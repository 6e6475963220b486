// npm run bench:engine-service — the matching-engine service on real Kafka and PostgreSQL.
// 1. Pre-loads BENCH_COMMANDS place/cancel commands into a fresh exchange.orders topic, then
//    times a leader engine process from consuming to its committed offsets reaching the end of
//    the input (input -> committed output), with and without state hashes in the checkpoints.
// 2. Baseline: a bare kafkajs consume-transform-produce pass-through of the same records with the
//    transaction settings the engine had before (read committed, one transaction per <= 500
//    records with the offsets, one output record per input), in this process.
// 3. Takeover: BENCH_TAKEOVER_TRIALS (10) kill -9s of the leader under a steady trickle of
//    commands, with the default lease settings and a warm standby, timing kill -> the first
//    committed result of the new leader (median and maximum), and the engine's own
//    lease-acquired -> consuming.
// Prints a JSON summary as its last line.
import type { EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { encodeCommand, type EngineCommand, type PlaceOrderCommand } from '@app/domain';
import { checkExchangeIdentity } from '@app/exchange-identity';
import {
  TOPICS,
  createIdempotentProducer,
  createReadCommittedConsumer,
  createTransactionalProducer,
  defaultTopicSpecs,
  initTransactions,
  offsetAfter,
  runInTransaction,
  withAdmin,
} from '@app/messaging';
import {
  createTestDatabase,
  createTestTopics,
  kafkaBrokersForTests,
  newRunId,
  sleep,
  startService,
  type ServiceProcess,
  type TestDatabase,
  type TestTopics,
} from '@app/testing';
import { seededFloats } from '@app/domain/testing/prng';

const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 50_000);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 8);
const TAKEOVER_TRIALS = Number(process.env.BENCH_TAKEOVER_TRIALS ?? 10);
/** Commands per second sent during the takeover trials. */
const TAKEOVER_FLOW_PER_SECOND = 100;
const SEED = Number(process.env.BENCH_SEED ?? 20_261_124);
/** Records per produce request while pre-loading: one request stays well under 1 MB. */
const PUBLISH_CHUNK = 500;
/**
 * The engine's former ENGINE_BATCH_COMMANDS_MAX, kept as the reference the engine's targets are
 * stated against (the engine now carries up to 2 000 commands per transaction).
 */
const BASELINE_BATCH_MAX = 500;
const LEASE_TTL_MS = 2_000;

/** Limit orders within 50 ticks of a mid price on two markets, a quarter of them cancelled. */
function buildCommands(count: number, users: string[]): EngineCommand[] {
  const random = seededFloats(SEED);
  const live: PlaceOrderCommand[] = [];
  const out: EngineCommand[] = [];
  for (let i = 0; i < count; i++) {
    const commandId = `bench-${i}`;
    const timestampMs = 1_700_000_000_000 + i;
    if (live.length > 0 && random() < 0.25) {
      const [t] = live.splice(Math.floor(random() * live.length), 1);
      out.push({
        type: 'cancel',
        commandId,
        timestampMs,
        userId: t.userId,
        symbol: t.symbol,
        orderId: t.orderId,
      });
      continue;
    }
    const symbol = random() < 0.5 ? 'BTC-USDT' : 'ETH-USDT';
    const mid = symbol === 'BTC-USDT' ? 3_000_000 : 200_000;
    const place: PlaceOrderCommand = {
      type: 'place',
      commandId,
      timestampMs,
      userId: users[Math.floor(random() * users.length)],
      symbol,
      orderId: `o-${i}`,
      side: random() < 0.5 ? 'BUY' : 'SELL',
      orderType: 'LIMIT',
      priceTicks: mid + Math.floor(random() * 101) - 50,
      qtyLots:
        symbol === 'BTC-USDT'
          ? 100 + Math.floor(random() * 300)
          : 1_000 + Math.floor(random() * 3_000),
    };
    live.push(place);
    out.push(place);
  }
  return out;
}

async function publish(
  producer: Producer,
  topic: string,
  commands: readonly EngineCommand[],
): Promise<void> {
  for (let i = 0; i < commands.length; i += PUBLISH_CHUNK) {
    await producer.send({
      topic,
      messages: commands.slice(i, i + PUBLISH_CHUNK).map((c) => ({
        key: c.symbol,
        value: JSON.stringify(encodeCommand(c)),
        headers: { 'x-command-id': c.commandId, 'x-request-id': `req-${c.commandId}` },
      })),
    });
  }
}

async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, string>> {
  const ends = await withAdmin(kafka, (admin) => admin.fetchTopicOffsets(topic));
  return new Map(ends.map((e) => [e.partition, e.high]));
}

async function committedAtEnd(
  kafka: Kafka,
  groupId: string,
  topic: string,
  ends: Map<number, string>,
) {
  const [committed] = await withAdmin(kafka, (admin) =>
    admin.fetchOffsets({ groupId, topics: [topic] }),
  );
  return [...ends].every(
    ([partition, high]) =>
      high === '0' || committed.partitions.find((p) => p.partition === partition)?.offset === high,
  );
}

async function engineState(engine: ServiceProcess): Promise<{ consuming?: boolean } | undefined> {
  try {
    const { status, body } = await engine.get('/engine/state');
    return status === 200 ? (body as { consuming?: boolean }) : undefined;
  } catch {
    return undefined;
  }
}

async function waitConsuming(engine: ServiceProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await engineState(engine))?.consuming === true) return;
    await sleep(20);
  }
  throw new Error(`engine not consuming after ${timeoutMs} ms:\n${engine.logs()}`);
}

function takeoverMsOf(engine: ServiceProcess): number {
  const records = engine.logRecords().filter((r) => r.msg === 'engine leader consuming');
  return Number(records[records.length - 1]?.takeoverMs ?? -1);
}

function envFor(
  database: TestDatabase,
  topics: TestTopics,
  extra: Record<string, string> = {},
  lease: Record<string, string> = {
    LEASE_TTL_MS: String(LEASE_TTL_MS),
    LEASE_RENEW_INTERVAL_MS: '500',
  },
) {
  return {
    DATABASE_URL: database.url,
    KAFKA_BROKERS: kafkaBrokersForTests().join(','),
    KAFKA_TOPIC_PREFIX: topics.prefix,
    ...lease,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** process_cpu_seconds_total of a service (prom-client's default metrics). */
async function cpuSeconds(engine: ServiceProcess): Promise<number> {
  const metrics = (await engine.get('/metrics')).text;
  return Number(/^process_cpu_seconds_total(?:\{[^}]*\})? (\S+)/m.exec(metrics)?.[1] ?? NaN);
}

/**
 * A fresh exchange for one run: a seeded database and topics (`specs`), bound to each other as
 * the first service boot would bind them, so that the commands loaded before the engine starts
 * are a log of this database's exchange (the engine refuses a log with records beside a
 * database that was never bound to it).
 */
async function freshExchange(
  runId: string,
  specs?: Parameters<typeof createTestTopics>[1],
): Promise<{ database: TestDatabase; topics: TestTopics; drop(): Promise<void> }> {
  const database = await createTestDatabase(runId, { seed: true });
  const topics = await createTestTopics(runId, specs);
  await checkExchangeIdentity({
    db: database.dataSource,
    kafka: topics.kafka,
    topicPrefix: topics.prefix,
  });
  return {
    database,
    topics,
    drop: async () => {
      await topics.cleanup();
      await database.drop();
    },
  };
}

/** Loads the commands into a fresh exchange, runs one engine until it committed them all. */
async function engineRun(
  runId: string,
  commands: readonly EngineCommand[],
  extra: Record<string, string>,
) {
  // Every topic with PARTITIONS partitions, but the metadata topic, whose one partition is fixed.
  const specs = defaultTopicSpecs(
    Object.fromEntries(
      Object.values(TOPICS)
        .filter((t) => !('partitionsFixed' in t))
        .map((t) => [t.logical, PARTITIONS]),
    ),
  );
  const { database, topics, drop } = await freshExchange(runId, specs);
  const ordersTopic = topics.names[TOPICS.orders.logical];
  const producer = createIdempotentProducer(topics.kafka);
  await producer.connect();
  await publish(producer, ordersTopic, commands);
  await producer.disconnect();
  const ends = await endOffsets(topics.kafka, ordersTopic);
  const engine = await startService({
    service: 'matching-engine',
    env: envFor(database, topics, { ENGINE_INSTANCE_ID: `${runId}-bench`, ...extra }),
  });
  try {
    await waitConsuming(engine);
    const cpuAtStart = await cpuSeconds(engine);
    const started = performance.now();
    while (
      !(await committedAtEnd(topics.kafka, `${topics.prefix}engine-shard-0`, ordersTopic, ends))
    ) {
      await sleep(20);
    }
    const seconds = (performance.now() - started) / 1000;
    const results = await endOffsets(topics.kafka, topics.names[TOPICS.engineResults.logical]);
    const cpu = (await cpuSeconds(engine)) - cpuAtStart;
    const metrics = (await engine.get('/metrics')).text;
    const sum = (name: string) =>
      Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)`, 'm').exec(metrics)?.[1] ?? NaN);
    return {
      commandsPerSecond: Math.round(commands.length / seconds),
      seconds: Number(seconds.toFixed(2)),
      resultsLogEndOffsetsWithMarkers: [...results.values()].reduce((a, b) => a + Number(b), 0),
      // The engine process's CPU (user + system) over the run: its share of one core, and per
      // command. Steadier than the rate on a shared machine, and shows whether it is CPU-bound.
      engineCpuBusy: Number((cpu / seconds).toFixed(2)),
      engineCpuUsPerCommand: Math.round((cpu * 1e6) / commands.length),
      transactions: sum('engine_transaction_duration_seconds_count'),
      meanTransactionMs: Number(
        (
          (1000 * sum('engine_transaction_duration_seconds_sum')) /
          sum('engine_transaction_duration_seconds_count')
        ).toFixed(2),
      ),
      meanMatchMsPerBatch: Number(
        (
          (1000 * sum('engine_match_duration_seconds_sum')) /
          sum('engine_match_duration_seconds_count')
        ).toFixed(3),
      ),
    };
  } finally {
    await engine.stop();
    await drop();
  }
}

/** Bare kafkajs consume-transform-produce: each input record copied to an output topic. */
async function baselineRun(runId: string, commands: readonly EngineCommand[]) {
  const topics = await createTestTopics(runId, [
    { logical: 'in', partitions: PARTITIONS },
    { logical: 'out', partitions: PARTITIONS },
  ]);
  const input = topics.names.in;
  const output = topics.names.out;
  const producer = createIdempotentProducer(topics.kafka);
  await producer.connect();
  await publish(producer, input, commands);
  await producer.disconnect();
  const ends = await endOffsets(topics.kafka, input);
  const groupId = `${runId}-passthrough`;
  const tx = createTransactionalProducer(topics.kafka, { transactionalId: `${runId}-passthrough` });
  await tx.connect();
  await initTransactions(tx);
  const consumer = createReadCommittedConsumer(topics.kafka, { groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: input, fromBeginning: true });
  const started = performance.now();
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }: EachBatchPayload) => {
      for (let i = 0; i < batch.messages.length; i += BASELINE_BATCH_MAX) {
        const chunk = batch.messages.slice(i, i + BASELINE_BATCH_MAX);
        const last = chunk[chunk.length - 1].offset;
        await runInTransaction(tx, async (t) => {
          await t.sendBatch({
            topicMessages: [
              {
                topic: output,
                messages: chunk.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
              },
            ],
          });
          await t.sendOffsets({
            consumerGroupId: groupId,
            topics: [
              {
                topic: batch.topic,
                partitions: [{ partition: batch.partition, offset: offsetAfter(last) }],
              },
            ],
          });
        });
        resolveOffset(last);
        await heartbeat();
      }
    },
  });
  try {
    while (!(await committedAtEnd(topics.kafka, groupId, input, ends))) await sleep(20);
    const seconds = (performance.now() - started) / 1000;
    return {
      recordsPerSecond: Math.round(commands.length / seconds),
      seconds: Number(seconds.toFixed(2)),
    };
  } finally {
    await consumer.disconnect();
    await tx.disconnect();
    await topics.cleanup();
  }
}

/**
 * kill -9 of the leader, TAKEOVER_TRIALS times, while commands keep arriving and a warm standby
 * waits; the default lease settings (the engine's own LEASE_TTL_MS and renew interval). Timed
 * from the kill to the first committed result carrying the new leader's fencing token.
 */
async function takeoverTrials(runId: string, users: string[]) {
  const { database, topics, drop } = await freshExchange(runId);
  const ordersTopic = topics.names[TOPICS.orders.logical];
  const engines: ServiceProcess[] = [];
  const start = async (name: string) => {
    const engine = await startService({
      service: 'matching-engine',
      env: envFor(
        database,
        topics,
        { ENGINE_INSTANCE_ID: `${runId}-${name}`, LOG_LEVEL: 'info' },
        {},
      ),
    });
    engines.push(engine);
    return engine;
  };
  // The first committed result of each fencing token, by the time this process saw it.
  const firstResultAt = new Map<string, number>();
  const observer = createReadCommittedConsumer(topics.kafka, { groupId: `${runId}-observer` });
  await observer.connect();
  await observer.subscribe({ topic: topics.names[TOPICS.engineResults.logical] });
  await observer.run({
    eachMessage: async ({ message }) => {
      const token = message.headers?.['x-fencing-token']?.toString();
      if (token !== undefined && !firstResultAt.has(token))
        firstResultAt.set(token, performance.now());
    },
  });
  const producer = createIdempotentProducer(topics.kafka);
  await producer.connect();
  let flowing = true;
  let sent = 0;
  const flow = (async () => {
    const commands = buildCommands(100_000, users);
    while (flowing) {
      const command = { ...commands[sent % commands.length], commandId: `${runId}-${sent}` };
      if (command.type === 'place') command.orderId = `${runId}-o-${sent}`;
      sent += 1;
      await publish(producer, ordersTopic, [command]);
      await sleep(1_000 / TAKEOVER_FLOW_PER_SECOND);
    }
  })();
  const trials: {
    killToFirstResultMs: number;
    killToConsumingMs: number;
    leaseToConsumingMs: number;
    restoredFrom: string;
  }[] = [];
  try {
    let leader = await start('t0');
    await waitConsuming(leader);
    for (let i = 1; i <= TAKEOVER_TRIALS; i++) {
      const standby = await start(`t${i}`);
      await waitWarm(standby);
      const killedAt = performance.now();
      await leader.kill9();
      await waitConsuming(standby);
      const consumingAt = performance.now();
      const state = (await standby.get('/engine/state')).body as {
        fencingToken: string;
        restoredFrom: string;
      };
      const deadline = Date.now() + 30_000;
      while (!firstResultAt.has(state.fencingToken) && Date.now() < deadline) await sleep(5);
      const resultAt = firstResultAt.get(state.fencingToken);
      if (resultAt === undefined) throw new Error(`no result of token ${state.fencingToken}`);
      trials.push({
        killToFirstResultMs: Math.round(resultAt - killedAt),
        killToConsumingMs: Math.round(consumingAt - killedAt),
        leaseToConsumingMs: takeoverMsOf(standby),
        restoredFrom: state.restoredFrom,
      });
      leader = standby;
    }
  } finally {
    flowing = false;
    await flow.catch(() => undefined);
    await producer.disconnect();
    await observer.disconnect();
    await Promise.all(engines.map((e) => e.kill9()));
    await drop();
  }
  const times = trials.map((t) => t.killToFirstResultMs).sort((a, b) => a - b);
  return {
    trials,
    commandsSent: sent,
    killToFirstResultMs: {
      median: times.length === 0 ? null : times[Math.floor((times.length - 1) / 2)],
      max: times.length === 0 ? null : times[times.length - 1],
    },
  };
}

async function waitWarm(engine: ServiceProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = (await engineState(engine)) as { standby?: { phase?: string } } | undefined;
    if (state?.standby?.phase === 'following') return;
    await sleep(20);
  }
  throw new Error(`standby not warm after ${timeoutMs} ms:\n${engine.logs()}`);
}

async function main(): Promise<void> {
  const runId = newRunId('benchsvc');
  const database = await createTestDatabase(runId, { seed: true });
  try {
    const users = (
      (await database.dataSource.query(
        `SELECT id::text AS id FROM users WHERE kind = 'TRADER'`,
      )) as { id: string }[]
    ).map((u) => u.id);
    const commands = buildCommands(COMMANDS, users);
    const baseline = await baselineRun(`${runId}b`, commands);
    const engine = await engineRun(`${runId}e`, commands, {});
    const engineNoHash = await engineRun(`${runId}n`, commands, {
      ENGINE_CHECKPOINT_HASH: 'false',
    });
    const takeovers = await takeoverTrials(`${runId}t`, users);
    const summary = {
      bench: 'engine-service',
      commands: COMMANDS,
      partitions: PARTITIONS,
      seed: SEED,
      baselinePassThrough: baseline,
      engine,
      engineWithoutStateHash: engineNoHash,
      engineVsPassThrough: Number(
        (engine.commandsPerSecond / baseline.recordsPerSecond).toFixed(2),
      ),
      takeovers,
    };
    console.log(JSON.stringify(summary));
  } finally {
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
