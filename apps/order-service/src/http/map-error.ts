import { HttpException } from '@nestjs/common';
import { errorCodes } from 'fastify';
import { DomainRejection } from './domain-rejection';
import { ERROR_CODES, type ApiErrorCode } from './error-codes';

/** The error body every route returns. */
export interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  requestId: string;
}

/** An error as it will be answered, before the request id is added. */
export interface MappedError {
  readonly status: number;
  readonly body: Omit<ErrorBody, 'requestId'>;
}

/** Generic code per status, for errors raised without one (Nest's own, Fastify's). */
const CODE_BY_STATUS: Readonly<Record<number, ApiErrorCode>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/** Fastify's body-parser errors that mean "this is not JSON", by code. */
const MALFORMED_JSON_CODES = new Set([
  'FST_ERR_CTP_INVALID_JSON_BODY',
  'FST_ERR_CTP_EMPTY_JSON_BODY',
]);

/**
 * The same errors by message: Nest re-throws Fastify's errors as `HttpException(message,
 * statusCode)`, dropping the code, so the message (taken from Fastify's own error classes, not
 * copied) is what tells them apart from other 400s.
 */
const MALFORMED_JSON_MESSAGES = new Set([
  new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY().message,
  new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY().message,
]);

const MALFORMED_JSON: MappedError = {
  status: 400,
  body: { code: 'MALFORMED_JSON', message: 'the body is not valid JSON' },
};

const INTERNAL: MappedError = {
  status: 500,
  body: { code: 'INTERNAL', message: ERROR_CODES.INTERNAL.description },
};

function generic(status: number, message: string): MappedError {
  const code = CODE_BY_STATUS[status];
  if (code === undefined || status >= 500) return INTERNAL;
  return { status, body: { code, message } };
}

function fromHttpException(error: HttpException): MappedError {
  const status = error.getStatus();
  const response = error.getResponse();
  if (typeof response === 'object' && response !== null) {
    const { code, message, details } = response as Record<string, unknown>;
    if (typeof code === 'string' && typeof message === 'string') {
      return { status, body: { code, message, details: details as Record<string, unknown> } };
    }
  }
  if (status === 400 && MALFORMED_JSON_MESSAGES.has(error.message)) return MALFORMED_JSON;
  return generic(status, error.message);
}

/** Errors Fastify raises itself (body parsing, size bounds) carry `statusCode` and `code`. */
function fromFastifyError(error: Error & { statusCode?: unknown; code?: unknown }): MappedError {
  if (typeof error.statusCode !== 'number') return INTERNAL;
  if (MALFORMED_JSON_CODES.has(String(error.code)) || error.name === 'SyntaxError') {
    return MALFORMED_JSON;
  }
  return generic(error.statusCode, error.message);
}

/**
 * The status and body for any error: a `DomainRejection` as it says; an HttpException with a
 * `code` (the guards') as it says; other HttpExceptions and Fastify's errors by status; the
 * rest is 500 INTERNAL with a fixed message, so nothing internal leaks.
 */
export function mapError(error: unknown): MappedError {
  if (error instanceof DomainRejection) {
    return {
      status: error.status,
      body: { code: error.code, message: error.message, details: error.details },
    };
  }
  if (error instanceof HttpException) return fromHttpException(error);
  if (error instanceof Error) return fromFastifyError(error);
  return INTERNAL;
}
