// Proves how each kind of error maps to a status and the error shape: rejections as they say,
// guards' coded exceptions, framework errors by status, malformed JSON, and everything else as
// a 500 that reveals nothing.
import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { errorCodes } from 'fastify';
import { DomainRejection, orReject, reject } from './domain-rejection';
import { ERROR_CODES, statusOf } from './error-codes';
import { mapError } from './map-error';

describe('mapError', () => {
  it('answers a rejection with the status of its code, and 422 for codes not catalogued', () => {
    const known = new DomainRejection(reject('INSUFFICIENT_FUNDS', 'no', { asset: 'BTC' }));
    expect(mapError(known)).toEqual({
      status: 422,
      body: { code: 'INSUFFICIENT_FUNDS', message: 'no', details: { asset: 'BTC' } },
    });
    expect(mapError(new DomainRejection(reject('USER_NOT_FOUND', 'x'))).status).toBe(404);
    expect(mapError(new DomainRejection(reject('SOME_DOMAIN_CODE', 'x'))).status).toBe(422);
  });

  it('keeps the code of a coded HttpException and maps the others by status', () => {
    const coded = new HttpException({ code: 'UNAUTHENTICATED', message: 'm', details: {} }, 401);
    expect(mapError(coded)).toEqual({
      status: 401,
      body: { code: 'UNAUTHENTICATED', message: 'm', details: {} },
    });
    expect(mapError(new NotFoundException('Cannot GET /x')).body.code).toBe('NOT_FOUND');
    expect(mapError(new BadRequestException('bad')).body.code).toBe('VALIDATION_FAILED');
    expect(mapError(new HttpException('teapot', 418)).status).toBe(500);
  });

  it('recognises malformed JSON however it arrives', () => {
    const fastifyError = new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY();
    expect(mapError(fastifyError).body.code).toBe('MALFORMED_JSON');
    expect(mapError(new HttpException(fastifyError.message, 400)).body.code).toBe('MALFORMED_JSON');
    const empty = new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY();
    expect(mapError(new HttpException(empty.message, 400)).body.code).toBe('MALFORMED_JSON');
    expect(mapError(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE('x/y')).status).toBe(415);
  });

  it('answers anything else with 500 INTERNAL and a fixed message', () => {
    for (const error of [new Error('password=hunter2'), 'a string', null, { code: 'X' }]) {
      expect(mapError(error)).toEqual({
        status: 500,
        body: { code: 'INTERNAL', message: ERROR_CODES.INTERNAL.description },
      });
    }
  });

  it('orReject passes values through and throws rejections', () => {
    expect(orReject(5)).toBe(5);
    expect(() => orReject(reject('USER_NAME_TAKEN', 'taken'))).toThrow(DomainRejection);
  });

  it('catalogues every code with a 4xx/5xx status and a sentence', () => {
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      expect({ code, ok: entry.status >= 400 && entry.status < 600 }).toEqual({ code, ok: true });
      expect(entry.description.length).toBeGreaterThan(10);
      expect(statusOf(code)).toBe(entry.status);
    }
  });
});
