// Proves that all four services boot as real processes against real PostgreSQL, Redis and
// Kafka, report ready, serve metrics, run one active and one standby engine that fail over on
// kill -9, shut down gracefully on SIGTERM, and refuse a malformed setting by name.
import {
  createTestDatabase,
  createTestTopics,
  kafkaBrokersForTests,
  newRunId,
  startService,
  type ServiceProcess,
  waitFor,
} from '@app/testing';

type Health = {
  status: string;
  info?: Record<string, { role?: string; fencingToken?: string | null }>;
};

async function roleOf(engine: ServiceProcess): Promise<string | undefined> {
  const { body } = await engine.get('/health/live');
  return (body as Health).info?.process?.role;
}

describe('services as processes', () => {
  const runId = newRunId('svc');
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let topics: Awaited<ReturnType<typeof createTestTopics>>;
  const started: ServiceProcess[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase(runId);
    topics = await createTestTopics(runId);
    env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: kafkaBrokersForTests().join(','),
      KAFKA_TOPIC_PREFIX: topics.prefix,
      REDIS_KEY_PREFIX: `${runId}:`,
      LEASE_TTL_MS: '2000',
      LEASE_RENEW_INTERVAL_MS: '500',
    };
  });

  afterAll(async () => {
    await Promise.all(started.map((service) => service.kill9()));
    await topics?.cleanup();
    await database?.drop();
  });

  const start = async (
    service: Parameters<typeof startService>[0]['service'],
    extra: Record<string, string> = {},
  ) => {
    const process = await startService({ service, env: { ...env, ...extra } });
    started.push(process);
    return process;
  };

  it('boots every service ready, with metrics, and one active and one standby engine', async () => {
    const [orderService, marketData, engineA] = await Promise.all([
      start('order-service'),
      start('market-data'),
      start('matching-engine', { ENGINE_INSTANCE_ID: `${runId}-a` }),
    ]);
    await waitFor('engine a to lead', async () => (await roleOf(engineA)) === 'active');
    const engineB = await start('matching-engine', { ENGINE_INSTANCE_ID: `${runId}-b` });
    const gateway = await start('gateway', {
      ORDER_SERVICE_URL: orderService.url,
      MARKET_DATA_URL: marketData.url,
    });

    for (const service of [orderService, marketData, engineA, engineB, gateway]) {
      const ready = await service.get('/health/ready');
      expect({ service: service.service, status: ready.status }).toEqual({
        service: service.service,
        status: 200,
      });
      const metrics = await service.get('/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('process_cpu_user_seconds_total');
      expect(metrics.text).toContain('http_request_duration_seconds_bucket');
    }
    const ready = (await orderService.get('/health/ready')).body as Health & { details: object };
    // Settlement runs in order-service by default, so its readiness also says it progresses.
    expect(Object.keys(ready.details).sort()).toEqual([
      'database',
      'kafka',
      'process',
      'settlement',
    ]);

    expect(await roleOf(engineA)).toBe('active');
    expect(await roleOf(engineB)).toBe('standby');
    const metricsA = (await engineA.get('/metrics')).text;
    expect(metricsA).toMatch(/leader_election_is_leader\{[^}]*lease="engine-shard-0"[^}]*\} 1/);
    const metricsB = (await engineB.get('/metrics')).text;
    expect(metricsB).toMatch(/leader_election_is_leader\{[^}]*lease="engine-shard-0"[^}]*\} 0/);

    const tokenA = ((await engineA.get('/health/live')).body as Health).info?.process?.fencingToken;
    await engineA.kill9();
    await waitFor(
      'engine b to take over',
      async () => (await roleOf(engineB)) === 'active',
      10_000,
    );
    const tokenB = ((await engineB.get('/health/live')).body as Health).info?.process?.fencingToken;
    expect(BigInt(tokenB ?? '0')).toBeGreaterThan(BigInt(tokenA ?? '0'));
  });

  it('runs its shutdown hooks and exits 0 on SIGTERM', async () => {
    const service = await start('matching-engine', { ENGINE_SHARD: '7' });
    const exit = await service.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    const messages = service.logRecords().map((record) => record.msg);
    expect(messages).toContain('shutting down');
    expect(messages.indexOf('stopped')).toBeGreaterThan(messages.indexOf('shutting down'));
    // The engine's shutdown hook released its lease, so a standby need not wait for expiry.
    const [lease] = await database.dataSource.query(
      `SELECT expires_at = '-infinity' AS released FROM leases WHERE name = 'engine-shard-7'`,
    );
    expect(lease.released).toBe(true);
  });

  it('carries the caller request id into the response and the logs', async () => {
    const service = await start('order-service', { LOG_LEVEL: 'debug' });
    const response = await fetch(`${service.url}/health/live`, {
      headers: { 'x-request-id': `${runId}-req` },
    });
    expect(response.headers.get('x-request-id')).toBe(`${runId}-req`);
    await waitFor('the request log line', async () =>
      service
        .logRecords()
        .some((record) => record.msg === 'http request' && record.requestId === `${runId}-req`),
    );
    const generated = await fetch(`${service.url}/health/live`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['order-service', 'PORT', 'not-a-port'],
    ['gateway', 'ORDER_SERVICE_URL', 'ftp://nope'],
    ['matching-engine', 'LEASE_TTL_MS', '10'],
    ['market-data', 'KAFKA_BROKERS', 'no-port-here'],
    ['order-service', 'DATABASE_URL', 'mysql://x'],
  ] as const)('%s refuses a malformed %s and names it', async (service, variable, value) => {
    const process = await startService({
      service,
      env: { ...env, [variable]: value },
      waitReady: false,
    });
    started.push(process);
    const exit = await process.waitExit();
    expect(exit.code).toBe(78);
    const fatal = process.logRecords().find((record) => record.level === 'fatal');
    expect(fatal).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(String(fatal?.msg)).toContain(`${variable}=${JSON.stringify(value)}`);
  });
});
