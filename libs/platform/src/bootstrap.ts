import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ClassConstructor } from 'class-transformer';
import { LogController } from 'fastify';
import { ConfigError, loadConfig, type BaseSettings } from '@app/config';
import {
  JsonLogger,
  REQUEST_ID_HEADER,
  acceptRequestId,
  createLogger,
  httpRequestDuration,
  runWithRequestId,
  startDefaultMetrics,
  type Logger,
} from '@app/observability';

/** Largest accepted HTTP request body; a batch of 1,000 orders fits with room to spare. */
export const HTTP_BODY_BYTES_MAX = 4 * 1024 * 1024;

export interface ServiceDefinition<S extends BaseSettings> {
  /** Service name for logs, metrics and health output. */
  readonly name: string;
  /** The settings class, read from the environment. */
  readonly settings: ClassConstructor<S>;
  /** Builds the root module from the validated settings. */
  readonly module: (settings: S, logger: Logger) => DynamicModule | Type<unknown>;
  /**
   * Runs once the settings are loaded and before the app is created, so before any module starts
   * work (consumers, relays, elections): checks that must pass for the process to run at all. A
   * `BootRefusal` it throws stops the process with the refusal's exit code and one fatal log line
   * (its message); any other error stops it with exit code 1.
   */
  readonly beforeStart?: (settings: S, logger: Logger) => Promise<void>;
  /** Runs after the app is created and before it listens (Swagger, microservices...). */
  readonly configure?: (
    app: NestFastifyApplication,
    settings: S,
    logger: Logger,
  ) => Promise<void> | void;
}

/**
 * Loads settings (exiting with a message naming each bad variable), creates the Fastify-based
 * Nest app with JSON logs, request ids and request metrics, listens, and arranges a graceful
 * shutdown on SIGTERM and SIGINT that is bounded by SHUTDOWN_TIMEOUT_MS.
 */
export async function runService<S extends BaseSettings>(
  definition: ServiceDefinition<S>,
): Promise<NestFastifyApplication> {
  const settings = loadSettingsOrExit(definition);
  const logger = createLogger({ service: definition.name, level: settings.LOG_LEVEL });
  startDefaultMetrics(definition.name);
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection; exiting');
    process.exit(1);
  });

  if (definition.beforeStart) await runBeforeStart(definition, settings, logger);

  const adapter = new FastifyAdapter({
    bodyLimit: HTTP_BODY_BYTES_MAX,
    forceCloseConnections: 'idle',
    // Requests are logged and measured by instrumentHttp; Fastify's own request lines are off.
    // (Through its LogController: the top-level disableRequestLogging is deprecated, FSTDEP023.)
    logController: new LogController({ disableRequestLogging: true }),
  });
  instrumentHttp(adapter, logger);
  const app = await NestFactory.create<NestFastifyApplication>(
    definition.module(settings, logger),
    adapter,
    { logger: new JsonLogger(logger), abortOnError: false },
  );
  handleShutdownSignals(app, settings.SHUTDOWN_TIMEOUT_MS, logger);
  await definition.configure?.(app, settings, logger);
  await app.listen(settings.PORT, settings.HOST);
  logger.info({ port: settings.PORT, host: settings.HOST }, `${definition.name} listening`);
  return app;
}

function loadSettingsOrExit<S extends BaseSettings>(definition: ServiceDefinition<S>): S {
  try {
    return loadConfig(definition.settings);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `${JSON.stringify({ level: 'fatal', service: definition.name, code: error.code, msg: error.message })}\n`,
      );
      process.exit(78); // EX_CONFIG from sysexits.h: a configuration error.
    }
    throw error;
  }
}

/**
 * An error a boot check throws to stop the process on purpose, such as the exchange identity
 * check's EXCHANGE_IDENTITY_MISMATCH: restarting cannot help, so the process exits with a code
 * of its own that a supervisor can tell from a crash (1). Recognised by shape, not class.
 */
export interface BootRefusal {
  readonly code: string;
  readonly exitCode: number;
  readonly message: string;
  /** Structured fields for the fatal log line. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export function isBootRefusal(error: unknown): error is BootRefusal {
  if (!(error instanceof Error)) return false;
  const { code, exitCode } = error as Error & Partial<BootRefusal>;
  return typeof code === 'string' && Number.isInteger(exitCode) && (exitCode as number) > 0;
}

async function runBeforeStart<S extends BaseSettings>(
  definition: ServiceDefinition<S>,
  settings: S,
  logger: Logger,
): Promise<void> {
  try {
    await definition.beforeStart?.(settings, logger);
  } catch (error) {
    const refusal = isBootRefusal(error) ? error : undefined;
    // The check's own lines (retries) go through pino's asynchronous destination: out first.
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    // Written synchronously, as the configuration errors are: the process exits right after.
    process.stderr.write(
      `${JSON.stringify({
        level: 'fatal',
        time: new Date().toISOString(),
        service: definition.name,
        code: refusal?.code ?? 'BOOT_CHECK_FAILED',
        ...refusal?.details,
        ...(refusal ? {} : { err: describeError(error) }),
        msg: error instanceof Error ? error.message : String(error),
      })}\n`,
    );
    process.exit(refusal?.exitCode ?? 1);
  }
}

function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { type: error.name, ...(code === undefined ? {} : { code }), stack: error.stack };
}

/**
 * Request ids (taken from the caller or made here), a duration histogram by route, and one
 * debug log line per request (debug, so the order path does not pay for it by default).
 */
function instrumentHttp(adapter: FastifyAdapter, logger: Logger): void {
  const duration = httpRequestDuration();
  const fastify = adapter.getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    const requestId = acceptRequestId(request.headers[REQUEST_ID_HEADER]);
    request.headers[REQUEST_ID_HEADER] = requestId;
    void reply.header(REQUEST_ID_HEADER, requestId);
    runWithRequestId(requestId, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    logger.debug(
      { method: request.method, route, status: reply.statusCode, durationMs: reply.elapsedTime },
      'http request',
    );
    done();
  });
}

/**
 * On SIGTERM or SIGINT: readiness turns false (Lifecycle), consumers stop, in-flight HTTP
 * requests finish, connections close (Nest's shutdown hooks, through `app.close()`), and the
 * process exits 0. If that hangs (a broker that never answers, say), the process exits 1 after
 * the bound, so an orchestrator's restart is never blocked.
 */
function handleShutdownSignals(
  app: NestFastifyApplication,
  timeoutMs: number,
  logger: Logger,
): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ timeoutMs }, 'graceful shutdown timed out; exiting');
      process.exit(1);
    }, timeoutMs).unref();
    app.close().then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
