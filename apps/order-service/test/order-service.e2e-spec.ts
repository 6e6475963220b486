// Proves, against order-service running as a real process (dist/), that every account route
// works end to end with its credential and exact decimal amounts, that refusals carry the
// error shape and the caller's request id, that Swagger is served, and that NODE_ENV=production
// refuses to start on the development secrets, naming each variable.
import { signInternalIdentity } from '@app/auth';
import {
  createTestDatabase,
  createTestTopics,
  kafkaBrokersForTests,
  newRunId,
  startService,
  type ServiceProcess,
  type TestDatabase,
  type TestTopics,
  expectAuditClean,
} from '@app/testing';

const secrets = {
  INTERNAL_AUTH_SECRET: 'e2e-internal-auth-secret-0123456789abcdef',
  ADMIN_API_TOKEN: 'e2e-admin-token-0123456789abcdef',
  API_KEY_ENCRYPTION_KEY: '0f'.repeat(32),
};

describe('order-service as a process', () => {
  const runId = newRunId('osvc');
  let database: TestDatabase;
  let topics: TestTopics;
  let service: ServiceProcess;
  const started: ServiceProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(runId, { seed: true });
    // Its own log beside its own database: the service checks at boot that both are one exchange.
    topics = await createTestTopics(runId);
    service = await startService({
      service: 'order-service',
      env: {
        DATABASE_URL: database.url,
        KAFKA_BROKERS: kafkaBrokersForTests().join(','),
        KAFKA_TOPIC_PREFIX: topics.prefix,
        ...secrets,
      },
    });
    started.push(service);
  });

  afterAll(async () => {
    await Promise.all(started.map((process) => process.kill9()));
    await topics?.cleanup();
    await database?.drop();
  });

  async function call(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: Record<string, unknown> & Record<string, unknown>[] }> {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    return { status: response.status, body: (await response.json()) as never };
  }

  const admin = (method: string, path: string, body?: unknown) =>
    call(method, path, { body, headers: { authorization: `Bearer ${secrets.ADMIN_API_TOKEN}` } });
  const trader = (userId: string, method: string, path: string) =>
    call(method, path, {
      headers: signInternalIdentity({
        secret: secrets.INTERNAL_AUTH_SECRET,
        userId,
        method,
        path,
        nowMs: Date.now(),
      }),
    });

  it('serves every account route end to end', async () => {
    const user = await admin('POST', '/api/v1/admin/users', { name: 'ivan' });
    expect(user.status).toBe(201);
    const userId = user.body.id as string;

    const key = await admin('POST', `/api/v1/admin/users/${userId}/api-keys`, { label: 'e2e' });
    expect(key.status).toBe(201);
    expect(key.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const deposit = await admin('POST', '/api/v1/admin/deposits', {
      userId,
      asset: 'USDT',
      amount: '250.5',
      reference: `${runId}-dep-1`,
    });
    expect(deposit.status).toBe(201);
    expect(deposit.body.available).toBe('250.50000000');

    const withdrawal = await admin('POST', '/api/v1/admin/withdrawals', {
      userId,
      asset: 'USDT',
      amount: '0.5',
    });
    expect(withdrawal.status).toBe(201);
    expect(withdrawal.body.available).toBe('250.00000000');

    const tooMuch = await admin('POST', '/api/v1/admin/withdrawals', {
      userId,
      asset: 'USDT',
      amount: '250.00000001',
    });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.code).toBe('INSUFFICIENT_FUNDS');

    const balances = await trader(userId, 'GET', '/api/v1/balances');
    expect(balances.status).toBe(200);
    expect(balances.body).toEqual([
      { asset: 'USDT', available: '250.00000000', locked: '0.00000000' },
    ]);

    const markets = await trader(userId, 'GET', '/api/v1/markets');
    expect(markets.status).toBe(200);
    expect(markets.body.map((market) => market.symbol)).toEqual(['BTC-USDT', 'ETH-USDT']);

    const revoked = await admin('DELETE', `/api/v1/admin/api-keys/${key.body.keyId}`);
    expect(revoked.status).toBe(200);
    await expectAuditClean(database.dataSource);
  });

  it('refuses without credentials or with unknown fields, echoing the request id', async () => {
    const anonymous = await call('GET', '/api/v1/balances', {
      headers: { 'x-request-id': `${runId}-anon` },
    });
    expect(anonymous).toEqual({
      status: 401,
      body: {
        code: 'UNAUTHENTICATED',
        message: expect.any(String),
        details: { reason: 'IDENTITY_MISSING' },
        requestId: `${runId}-anon`,
      },
    });
    const unknown = await admin('POST', '/api/v1/admin/users', { name: 'judy', admin: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('UNKNOWN_FIELD');
    const [{ n }] = await database.dataSource.query(
      `SELECT count(*)::int AS n FROM users WHERE name = 'judy'`,
    );
    expect(n).toBe(0);
  });

  it('serves Swagger UI and the OpenAPI document', async () => {
    const ui = await fetch(`${service.url}/docs`);
    expect(ui.status).toBe(200);
    const { status, body } = await service.get('/docs-json');
    expect(status).toBe(200);
    expect(Object.keys((body as { paths: object }).paths)).toEqual(
      expect.arrayContaining(['/api/v1/balances', '/api/v1/admin/deposits']),
    );
  });

  it('refuses the development secrets when NODE_ENV=production', async () => {
    const production = await startService({
      service: 'order-service',
      env: { DATABASE_URL: database.url, NODE_ENV: 'production' },
      waitReady: false,
    });
    started.push(production);
    expect((await production.waitExit()).code).toBe(78);
    const fatal = production.logRecords().find((record) => record.level === 'fatal');
    for (const variable of Object.keys(secrets)) {
      expect(String(fatal?.msg)).toContain(`${variable}=(unset)`);
    }
  });
});
