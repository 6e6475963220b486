import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/**
 * Answers a failed health probe as terminus built it: its status (503) and its body (`status`,
 * `info`, `error`, `details`, naming what is down and why), whatever global exception filter the
 * application has. Without it, order-service's API filter turned a not-ready answer into a bare
 * 500 INTERNAL and logged every failed probe as an error.
 */
@Catch(HttpException)
export class HealthExceptionFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: HttpException, host: ArgumentsHost): void {
    const response: unknown = host.switchToHttp().getResponse();
    this.adapterHost.httpAdapter.reply(response, error.getResponse(), error.getStatus());
  }
}
