import { randomUUID } from 'node:crypto';
import {
  Catch,
  HttpException,
  Inject,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { REQUEST_ID_HEADER, currentRequestId, type Logger } from '@app/observability';
import { DomainRejection } from './domain-rejection';
import { ERROR_CODES } from './error-codes';
import { mapError, type ErrorBody, type MappedError } from './map-error';
import { ORDER_SERVICE_LOGGER } from './logger.token';

const INTERNAL: MappedError = {
  status: 500,
  body: { code: 'INTERNAL', message: ERROR_CODES.INTERNAL.description },
};

/**
 * Turns every error into the one error shape `{ code, message, details?, requestId }` with the
 * status of the code (see error-codes.ts). Unexpected errors become 500 INTERNAL with no detail
 * in the response; their stack goes to the log with the request id.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(@Inject(ORDER_SERVICE_LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let mapped = INTERNAL;
    try {
      mapped = mapError(error);
    } catch (mappingError) {
      // A bug here must not hand the error to Nest's fallback, which shows its message.
      this.logger.error({ err: mappingError }, 'error mapping failed');
    }
    if (mapped.status >= 500) {
      this.logger.error({ err: error, method: request.method, url: request.url }, 'request failed');
    } else if (!(error instanceof DomainRejection) && !(error instanceof HttpException)) {
      this.logger.debug({ err: error, status: mapped.status }, 'request refused by the framework');
    }
    const header = request.headers[REQUEST_ID_HEADER];
    const requestId = currentRequestId() ?? (typeof header === 'string' ? header : randomUUID());
    const body: ErrorBody = { ...mapped.body, requestId };
    if (body.details === undefined) delete body.details;
    void reply.status(mapped.status).header('content-type', 'application/json').send(body);
  }
}
