// Proves the one error shape on real requests: unknown and server-assigned fields, malformed
// amounts (each with its field code), malformed JSON, wrong media type, unknown routes, bad
// route parameters and unexpected errors (500 without internals, stack in the log), and that
// none of the refused requests writes anything.
import { Controller, Get, Module } from '@nestjs/common';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { tableCounts } from './support/ledger-checks';
import { createTestApp, type TestApp } from './support/test-app';

@Controller('test-only')
class ExplodingController {
  @Get('boom')
  boom(): never {
    throw new Error('database password is hunter2');
  }
}

@Module({ controllers: [ExplodingController] })
class ExplodingModule {}

describe('HTTP errors (in-process, real PostgreSQL)', () => {
  let database: TestDatabase;
  let service: TestApp;
  let alice: string;

  beforeAll(async () => {
    database = await createTestDatabase('errors', { seed: true });
    service = await createTestApp(database.url, [ExplodingModule]);
    [{ id: alice }] = await database.dataSource.query(`SELECT id FROM users WHERE name = 'alice'`);
  });

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  const admin = (url: string, body?: unknown, rawBody?: string, headers = {}) =>
    service.request({
      method: 'POST',
      url,
      body,
      rawBody,
      headers: {
        ...service.admin(),
        ...(rawBody === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
    });

  it('refuses unknown fields with UNKNOWN_FIELD, listing each, and writes nothing', async () => {
    const before = await tableCounts(database.dataSource);
    const response = await admin('/api/v1/admin/deposits', {
      userId: alice,
      asset: 'USDT',
      amount: '5',
      fee: '0',
      note: 'x',
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      code: 'UNKNOWN_FIELD',
      message: expect.any(String),
      details: {
        fields: [
          { field: 'fee', code: 'UNKNOWN_FIELD', message: expect.any(String) },
          { field: 'note', code: 'UNKNOWN_FIELD', message: expect.any(String) },
        ],
      },
      requestId: expect.any(String),
    });
    const mixed = await admin('/api/v1/admin/users', { name: '', role: 'admin' });
    expect(mixed.body.code).toBe('UNKNOWN_FIELD');
    expect((mixed.body.details as { fields: { field: string; code: string }[] }).fields).toEqual([
      expect.objectContaining({ field: 'name', code: 'INVALID_VALUE' }),
      expect.objectContaining({ field: 'role', code: 'UNKNOWN_FIELD' }),
    ]);
    expect(await tableCounts(database.dataSource)).toEqual(before);
  });

  it('refuses server-assigned fields with FORBIDDEN_FIELD and writes nothing', async () => {
    const before = await tableCounts(database.dataSource);
    const user = await admin('/api/v1/admin/users', { name: 'mallory', kind: 'SYSTEM' });
    expect(user.status).toBe(400);
    expect(user.body).toMatchObject({
      code: 'FORBIDDEN_FIELD',
      details: { fields: [{ field: 'kind', code: 'FORBIDDEN_FIELD' }] },
    });
    const key = await admin(`/api/v1/admin/users/${alice}/api-keys`, { secret: 'chosen' });
    expect(key.body).toMatchObject({
      code: 'FORBIDDEN_FIELD',
      details: { fields: [{ field: 'secret', code: 'FORBIDDEN_FIELD' }] },
    });
    expect(await tableCounts(database.dataSource)).toEqual(before);
  });

  it.each([
    ['-1', 'NEGATIVE'],
    ['0', 'ZERO'],
    ['0.00000000', 'ZERO'],
    ['1e-8', 'EXPONENT_NOTATION'],
    ['1E3', 'EXPONENT_NOTATION'],
    ['NaN', 'NOT_A_NUMBER'],
    ['Infinity', 'NOT_FINITE'],
    ['-Infinity', 'NOT_FINITE'],
    ['', 'EMPTY'],
    [' 1', 'NOT_A_NUMBER'],
    ['1.', 'NOT_A_NUMBER'],
    ['.5', 'NOT_A_NUMBER'],
    ['+1', 'NOT_A_NUMBER'],
    ['1,5', 'NOT_A_NUMBER'],
    ['0x10', 'NOT_A_NUMBER'],
    ['0.000000001', 'TOO_MANY_DECIMALS'],
    ['1.0000000000000000001', 'TOO_MANY_DECIMALS'],
    ['99999999999999999999999', 'VALUE_TOO_LARGE'],
    [1.5, 'NOT_A_STRING'],
    [100, 'NOT_A_STRING'],
    [null, 'REQUIRED'],
    [undefined, 'REQUIRED'],
  ])('refuses amount %p with field code %s, writing nothing', async (amount, fieldCode) => {
    const before = await tableCounts(database.dataSource);
    for (const url of ['/api/v1/admin/deposits', '/api/v1/admin/withdrawals']) {
      const response = await admin(url, { userId: alice, asset: 'BTC', amount });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { fields: [{ field: 'amount', code: fieldCode }] },
      });
    }
    expect(await tableCounts(database.dataSource)).toEqual(before);
  });

  it('refuses malformed JSON, an empty JSON body, a JSON array and a non-JSON body', async () => {
    const malformed = await admin('/api/v1/admin/users', undefined, '{"name": "x",');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'MALFORMED_JSON' });
    const empty = await admin('/api/v1/admin/users', undefined, '');
    expect(empty.body).toMatchObject({ code: 'MALFORMED_JSON' });
    const array = await admin('/api/v1/admin/users', undefined, '[{"name":"x"}]');
    expect(array.status).toBe(400);
    expect(array.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: [{ field: '(body)', code: 'INVALID_VALUE' }] },
    });
    const xml = await admin('/api/v1/admin/users', undefined, '<name>x</name>', {
      'content-type': 'application/xml',
    });
    expect(xml.status).toBe(415);
    expect(xml.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    // Fastify reads text/plain as a string: not an object, so not a valid body.
    const text = await admin('/api/v1/admin/users', undefined, 'name=x', {
      'content-type': 'text/plain',
    });
    expect(text.status).toBe(400);
    expect(text.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: [{ field: '(body)', code: 'INVALID_VALUE' }] },
    });
  });

  it('answers an unknown route with 404 NOT_FOUND and a bad UUID parameter with 400', async () => {
    const missing = await service.request({ method: 'GET', url: '/api/v1/nope' });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'NOT_FOUND' });
    const badId = await admin('/api/v1/admin/users/not-a-uuid/api-keys', {});
    expect(badId.status).toBe(400);
    expect(badId.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: [{ field: 'userId', code: 'INVALID_VALUE' }] },
    });
  });

  it('answers an unexpected error with 500 INTERNAL, no internals, and logs the stack', async () => {
    const response = await service.request({
      method: 'GET',
      url: '/test-only/boom',
      headers: { 'x-request-id': 'req-boom-1' },
    });
    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      code: 'INTERNAL',
      message: expect.any(String),
      requestId: 'req-boom-1',
    });
    expect(JSON.stringify(response.body)).not.toContain('hunter2');
    const logged = service.logLines.map((line) => JSON.parse(line));
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 'error',
        err: expect.objectContaining({ stack: expect.stringContaining('hunter2') }),
      }),
    );
  });
});
