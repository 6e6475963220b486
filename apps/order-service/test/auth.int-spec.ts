// Proves that every /api/v1 route needs its credential (a gateway-signed identity for trader
// routes, the operator token for admin routes), that missing, forged, expired, replayed-elsewhere
// and wrong-kind credentials get 401/403 with stable codes, and that a refused request writes
// nothing. The last test walks the router, so routes added later are covered too.
import { IDENTITY_CLOCK_SKEW_MS_MAX, signInternalIdentity } from '@app/auth';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { tableCounts } from './support/ledger-checks';
import { createTestApp, type TestApp } from './support/test-app';

describe('authentication (in-process, real PostgreSQL)', () => {
  let database: TestDatabase;
  let service: TestApp;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    database = await createTestDatabase('auth', { seed: true });
    service = await createTestApp(database.url);
    const rows = await database.dataSource.query(`SELECT id, name FROM users ORDER BY name`);
    alice = rows.find((r: { name: string }) => r.name === 'alice').id;
    bob = rows.find((r: { name: string }) => r.name === 'bob').id;
  });

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  const balances = (headers: Record<string, string>) =>
    service.request({ method: 'GET', url: '/api/v1/balances', headers });

  it('admits a valid identity', async () => {
    const response = await balances(service.identity(alice, 'GET', '/api/v1/balances'));
    expect(response.status).toBe(200);
  });

  it.each([
    ['no identity', () => ({}), 'IDENTITY_MISSING'],
    [
      'a signature made with another secret',
      () =>
        signInternalIdentity({
          secret: 'not-the-internal-secret-0123456789abcdef',
          userId: alice,
          method: 'GET',
          path: '/api/v1/balances',
          nowMs: Date.now(),
        }),
      'IDENTITY_SIGNATURE_INVALID',
    ],
    [
      "alice's signature with bob's user id",
      () => ({ ...service.identity(alice, 'GET', '/api/v1/balances'), 'x-user-id': bob }),
      'IDENTITY_SIGNATURE_INVALID',
    ],
    [
      'a signature for another path',
      () => service.identity(alice, 'GET', '/api/v1/markets'),
      'IDENTITY_SIGNATURE_INVALID',
    ],
    [
      'a signature for another method',
      () => service.identity(alice, 'POST', '/api/v1/balances'),
      'IDENTITY_SIGNATURE_INVALID',
    ],
    [
      'an expired identity',
      () =>
        service.identity(
          alice,
          'GET',
          '/api/v1/balances',
          Date.now() - IDENTITY_CLOCK_SKEW_MS_MAX - 1_000,
        ),
      'IDENTITY_EXPIRED',
    ],
    [
      'a malformed user id',
      () => ({ ...service.identity(alice, 'GET', '/api/v1/balances'), 'x-user-id': 'alice' }),
      'IDENTITY_MALFORMED',
    ],
    ['the operator token instead', () => service.admin(), 'IDENTITY_MISSING'],
  ])('refuses %s with 401 and the reason', async (_name, headers, reason) => {
    const response = await balances(headers());
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      code: 'UNAUTHENTICATED',
      message: expect.any(String),
      details: { reason },
      requestId: expect.any(String),
    });
  });

  it('binds the query string', async () => {
    const headers = service.identity(alice, 'GET', '/api/v1/balances?asset=BTC');
    const response = await balances(headers);
    expect(response.body.details).toEqual({ reason: 'IDENTITY_SIGNATURE_INVALID' });
  });

  it('refuses operator calls without the token (401), with a wrong one (401) and from traders (403), writing nothing', async () => {
    const before = await tableCounts(database.dataSource);
    const body = { userId: alice, asset: 'USDT', amount: '1000000' };
    const call = (headers: Record<string, string>) =>
      service.request({ method: 'POST', url: '/api/v1/admin/deposits', headers, body });

    const none = await call({});
    expect(none.status).toBe(401);
    expect(none.body.details).toEqual({ reason: 'ADMIN_CREDENTIAL_MISSING' });
    const wrong = await call({ authorization: `Bearer ${service.settings.ADMIN_API_TOKEN}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.body.details).toEqual({ reason: 'ADMIN_CREDENTIAL_INVALID' });
    const traderCall = await call(service.identity(alice, 'POST', '/api/v1/admin/deposits'));
    expect(traderCall.status).toBe(403);
    expect(traderCall.body).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'ADMIN_ONLY' } });

    expect(await tableCounts(database.dataSource)).toEqual(before);
  });

  it('guards every /api/v1 route in the router, writing nothing', async () => {
    const before = await tableCounts(database.dataSource);
    const routes = service.routes.filter(
      (route) => route.url.startsWith('/api/v1/') && route.method !== 'HEAD',
    );
    expect(routes.length).toBeGreaterThanOrEqual(7);
    for (const route of routes) {
      const url = route.url.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');
      const send = (headers: Record<string, string>) =>
        service.request({
          method: route.method,
          url,
          headers,
          body: ['GET', 'DELETE'].includes(route.method) ? undefined : {},
        });
      const anonymous = await send({});
      expect({ route, status: anonymous.status }).toEqual({ route, status: 401 });
      if (route.url.startsWith('/api/v1/admin/')) {
        const asTrader = await send(service.identity(alice, route.method, url));
        expect({ route, status: asTrader.status }).toEqual({ route, status: 403 });
      } else {
        const asOperator = await send(service.admin());
        expect({ route, status: asOperator.status }).toEqual({ route, status: 401 });
      }
    }
    expect(await tableCounts(database.dataSource)).toEqual(before);
  });
});
