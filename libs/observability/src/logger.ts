import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import { currentRequestId } from './request-context';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** Service name written on every line. */
  readonly service: string;
  /** Lowest level written: fatal, error, warn, info, debug or trace. */
  readonly level: string;
  /** Where lines go; standard output by default. Tests pass a buffer. */
  readonly destination?: pino.DestinationStream;
}

/**
 * A structured JSON logger: one JSON object per line with time, level, service, message and the
 * request id of the work in progress (HTTP request or Kafka message) when there is one.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service, pid: process.pid },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const requestId = currentRequestId();
        return requestId === undefined ? {} : { requestId };
      },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

/** Adapts a pino logger to Nest's LoggerService so framework messages are JSON lines too. */
export class JsonLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /** Nest passes the context (class name) last, and for errors a stack before it. */
  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    const fields: Record<string, unknown> = {};
    const context = rest.length > 0 ? rest[rest.length - 1] : undefined;
    if (typeof context === 'string') fields.context = context;
    const stack = rest.length > 1 ? rest[0] : undefined;
    if (typeof stack === 'string') fields.stack = stack;
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.logger[level](fields, String(message));
    }
  }
}
