// Proves the operator and trader account endpoints on real PostgreSQL, in-process: users, API
// keys (secret stored only encrypted), deposits and withdrawals with exact decimal amounts,
// idempotent references, refusals that write nothing, and a balanced ledger after all of it.
import { decryptSecret, parseEncryptionKey } from '@app/auth';
import { createTestDatabase, type TestDatabase, expectAuditClean } from '@app/testing';
import { tableCounts } from './support/ledger-checks';
import { createTestApp, type TestApp } from './support/test-app';

describe('accounts (in-process, real PostgreSQL)', () => {
  let database: TestDatabase;
  let service: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase('acct', { seed: true });
    service = await createTestApp(database.url);
  });

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  const admin = (method: string, url: string, body?: unknown) =>
    service.request({ method, url, body, headers: service.admin() });
  const trader = (userId: string, method: string, url: string) =>
    service.request({ method, url, headers: service.identity(userId, method, url) });

  async function createUser(name: string): Promise<string> {
    const response = await admin('POST', '/api/v1/admin/users', { name });
    expect(response.status).toBe(201);
    return response.body.id as string;
  }

  it('creates a user, issues a key, deposits, withdraws and shows exact balances', async () => {
    const created = await admin('POST', '/api/v1/admin/users', { name: 'carol' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'carol', kind: 'TRADER' });
    const userId = created.body.id as string;

    const key = await admin('POST', `/api/v1/admin/users/${userId}/api-keys`, { label: 'bot' });
    expect(key.status).toBe(201);
    expect(key.body).toMatchObject({ userId, label: 'bot' });
    expect(key.body.keyId).toMatch(/^ak_[0-9A-Za-z]{20}$/);
    const [stored] = await database.dataSource.query(
      'SELECT secret_enc FROM api_keys WHERE key_id = $1',
      [key.body.keyId],
    );
    expect(stored.secret_enc.includes(Buffer.from(key.body.secret as string))).toBe(false);
    const encryptionKey = parseEncryptionKey(service.settings.API_KEY_ENCRYPTION_KEY);
    expect(decryptSecret(stored.secret_enc, encryptionKey, key.body.keyId as string)).toBe(
      key.body.secret,
    );

    const deposit = await admin('POST', '/api/v1/admin/deposits', {
      userId,
      asset: 'USDT',
      amount: '1500.25',
    });
    expect(deposit.status).toBe(201);
    expect(deposit.body).toMatchObject({
      userId,
      asset: 'USDT',
      amount: '1500.25000000',
      available: '1500.25000000',
      reference: null,
      replayed: false,
    });
    const btc = await admin('POST', '/api/v1/admin/deposits', {
      userId,
      asset: 'BTC',
      amount: '0.00000001',
    });
    expect(btc.body.available).toBe('0.00000001');

    const withdrawal = await admin('POST', '/api/v1/admin/withdrawals', {
      userId,
      asset: 'USDT',
      amount: '0.25000001',
    });
    expect(withdrawal.status).toBe(201);
    expect(withdrawal.body).toMatchObject({ amount: '0.25000001', available: '1499.99999999' });

    const balances = await trader(userId, 'GET', '/api/v1/balances');
    expect(balances.status).toBe(200);
    expect(balances.body).toEqual([
      { asset: 'BTC', available: '0.00000001', locked: '0.00000000' },
      { asset: 'USDT', available: '1499.99999999', locked: '0.00000000' },
    ]);
    const [row] = await database.dataSource.query(
      `SELECT available::text FROM balances WHERE user_id = $1 AND asset = 'USDT'`,
      [userId],
    );
    expect(row.available).toBe('149999999999');
    await expectAuditClean(database.dataSource);
  });

  it('refuses a withdrawal beyond the available balance and writes nothing', async () => {
    const userId = await createUser('dave');
    await admin('POST', '/api/v1/admin/deposits', { userId, asset: 'ETH', amount: '1' });
    const before = await tableCounts(database.dataSource);
    const refused = await admin('POST', '/api/v1/admin/withdrawals', {
      userId,
      asset: 'ETH',
      amount: '1.00000001',
      reference: 'too-much-1',
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      details: { asset: 'ETH', available: '1.00000000', required: '1.00000001' },
    });
    const noBalance = await admin('POST', '/api/v1/admin/withdrawals', {
      userId,
      asset: 'BTC',
      amount: '0.1',
    });
    expect(noBalance.status).toBe(422);
    expect(await tableCounts(database.dataSource)).toEqual(before);
    const exact = await admin('POST', '/api/v1/admin/withdrawals', {
      userId,
      asset: 'ETH',
      amount: '1.0',
      reference: 'too-much-1',
    });
    expect(exact.status).toBe(201);
    expect(exact.body.available).toBe('0.00000000');
  });

  it('never withdraws locked funds', async () => {
    const userId = await createUser('erin');
    await admin('POST', '/api/v1/admin/deposits', { userId, asset: 'USDT', amount: '100' });
    // Lock 60 USDT with a resting order: a buy of 0.6 BTC at 100.
    const url = '/api/v1/orders';
    const placed = await service.request({
      method: 'POST',
      url,
      headers: service.identity(userId, 'POST', url),
      body: { symbol: 'BTC-USDT', side: 'BUY', type: 'LIMIT', price: '100', quantity: '0.6' },
    });
    expect(placed.status).toBe(201);
    const refused = await admin('POST', '/api/v1/admin/withdrawals', {
      userId,
      asset: 'USDT',
      amount: '40.00000001',
    });
    expect(refused.status).toBe(422);
    const allowed = await admin('POST', '/api/v1/admin/withdrawals', {
      userId,
      asset: 'USDT',
      amount: '40',
    });
    expect(allowed.status).toBe(201);
    const balances = await trader(userId, 'GET', '/api/v1/balances');
    expect(balances.body).toEqual([
      { asset: 'USDT', available: '0.00000000', locked: '60.00000000' },
    ]);
    await expectAuditClean(database.dataSource);
  });

  it('applies a transfer reference once, and refuses its reuse for another transfer', async () => {
    const userId = await createUser('frank');
    const body = { userId, asset: 'USDT', amount: '10', reference: 'bank-tx-42' };
    const first = await admin('POST', '/api/v1/admin/deposits', body);
    const again = await admin('POST', '/api/v1/admin/deposits', { ...body, amount: '10.000' });
    expect(first.body).toMatchObject({ replayed: false, available: '10.00000000' });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({
      replayed: true,
      journalId: first.body.journalId,
      available: '10.00000000',
    });
    const before = await tableCounts(database.dataSource);
    const conflict = await admin('POST', '/api/v1/admin/deposits', { ...body, amount: '11' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('REFERENCE_CONFLICT');
    expect(await tableCounts(database.dataSource)).toEqual(before);

    // Concurrent duplicates serialise on the reference: one credit.
    const racing = { userId, asset: 'BTC', amount: '0.5', reference: 'chain-tx-7' };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => admin('POST', '/api/v1/admin/deposits', racing)),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(results.filter((r) => r.body.replayed === false)).toHaveLength(1);
    const [journal] = await database.dataSource.query(
      `SELECT count(*)::int AS n FROM ledger_entries WHERE ref_type = 'ADMIN_DEPOSIT' AND ref_id = 'chain-tx-7'`,
    );
    expect(journal.n).toBe(2);

    // A withdrawal reference lives in its own namespace and is idempotent too.
    const out = { userId, asset: 'USDT', amount: '3', reference: 'bank-tx-42' };
    expect((await admin('POST', '/api/v1/admin/withdrawals', out)).body.replayed).toBe(false);
    const outAgain = await admin('POST', '/api/v1/admin/withdrawals', out);
    expect(outAgain.body).toMatchObject({ replayed: true, available: '7.00000000' });
    await expectAuditClean(database.dataSource);
  });

  it('revokes a key idempotently and caps active keys per user', async () => {
    const userId = await createUser('grace');
    const key = await admin('POST', `/api/v1/admin/users/${userId}/api-keys`, {});
    expect(key.body.label).toBe('');
    const revoked = await admin('DELETE', `/api/v1/admin/api-keys/${key.body.keyId}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ keyId: key.body.keyId, userId });
    const again = await admin('DELETE', `/api/v1/admin/api-keys/${key.body.keyId}`);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
    const missing = await admin('DELETE', '/api/v1/admin/api-keys/ak_00000000000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('API_KEY_NOT_FOUND');

    for (let i = 0; i < 10; i += 1) {
      expect((await admin('POST', `/api/v1/admin/users/${userId}/api-keys`, {})).status).toBe(201);
    }
    const capped = await admin('POST', `/api/v1/admin/users/${userId}/api-keys`, {});
    expect(capped.status).toBe(409);
    expect(capped.body.code).toBe('API_KEY_LIMIT_REACHED');
  });

  it('refuses unknown users and assets, SYSTEM accounts and taken names', async () => {
    const ghost = '00000000-0000-4000-8000-000000000000';
    const cases = [
      [await admin('POST', '/api/v1/admin/users', { name: 'alice' }), 409, 'USER_NAME_TAKEN'],
      [await admin('POST', `/api/v1/admin/users/${ghost}/api-keys`, {}), 404, 'USER_NOT_FOUND'],
      [
        await admin('POST', '/api/v1/admin/deposits', { userId: ghost, asset: 'BTC', amount: '1' }),
        404,
        'USER_NOT_FOUND',
      ],
    ] as const;
    for (const [response, status, code] of cases) {
      expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    }
    const userId = await createUser('heidi');
    const before = await tableCounts(database.dataSource);
    const unknownAsset = await admin('POST', '/api/v1/admin/deposits', {
      userId,
      asset: 'DOGE',
      amount: '1',
    });
    expect(unknownAsset.status).toBe(404);
    expect(unknownAsset.body.code).toBe('ASSET_NOT_FOUND');
    const [fees] = await database.dataSource.query(`SELECT id FROM users WHERE name = 'fees'`);
    const system = await admin('POST', '/api/v1/admin/deposits', {
      userId: fees.id,
      asset: 'BTC',
      amount: '1',
    });
    expect(system.status).toBe(422);
    expect(system.body.code).toBe('USER_NOT_TRADER');
    expect(await tableCounts(database.dataSource)).toEqual(before);
  });

  it('lists markets with filters and fee rates as decimal strings', async () => {
    const [alice] = await database.dataSource.query(`SELECT id FROM users WHERE name = 'alice'`);
    const markets = await trader(alice.id, 'GET', '/api/v1/markets');
    expect(markets.status).toBe(200);
    expect(markets.body[0]).toEqual({
      symbol: 'BTC-USDT',
      baseAsset: 'BTC',
      quoteAsset: 'USDT',
      status: 'TRADING',
      baseScale: 8,
      quoteScale: 8,
      tickSize: '0.01',
      stepSize: '0.00001',
      minQty: '0.00001',
      maxQty: '1000',
      minNotional: '5',
      makerFeeRate: '0.001',
      takerFeeRate: '0.002',
      makerFeePpm: 1000,
      takerFeePpm: 2000,
    });
    expect(markets.body.map((m) => m.symbol)).toEqual(['BTC-USDT', 'ETH-USDT']);
  });

  it('shows the seeded balances of alice exactly', async () => {
    const [alice] = await database.dataSource.query(`SELECT id FROM users WHERE name = 'alice'`);
    const balances = await trader(alice.id, 'GET', '/api/v1/balances');
    expect(balances.body).toEqual([
      { asset: 'BTC', available: '2.00000000', locked: '0.00000000' },
      { asset: 'ETH', available: '20.00000000', locked: '0.00000000' },
      { asset: 'USDT', available: '100000.00000000', locked: '0.00000000' },
    ]);
    await expectAuditClean(database.dataSource);
  });
});
