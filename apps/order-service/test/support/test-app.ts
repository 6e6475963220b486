import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { signInternalIdentity } from '@app/auth';
import { loadConfig } from '@app/config';
import { createLogger } from '@app/observability';
import { kafkaBrokersForTests } from '@app/testing';
import { OrderServiceModule } from '../../src/order-service.module';
import { OrderServiceSettings } from '../../src/order-service.settings';
import { buildOpenApiDocument } from '../../src/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';

/** A route as Fastify registered it: method and URL pattern (`/api/v1/users/:userId`). */
export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
}

export interface InjectResult {
  readonly status: number;
  readonly body: Record<string, unknown> & Array<Record<string, unknown>>;
  readonly headers: Record<string, unknown>;
}

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly settings: OrderServiceSettings;
  /** Every route registered in the router. */
  readonly routes: readonly RegisteredRoute[];
  /** JSON log lines the service wrote (level info and up). */
  readonly logLines: string[];
  request(options: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    body?: unknown;
    rawBody?: string;
  }): Promise<InjectResult>;
  /** Headers of a valid gateway-signed identity for this request. */
  identity(userId: string, method: string, url: string, nowMs?: number): Record<string, string>;
  /** The operator's Authorization header. */
  admin(): Record<string, string>;
  /** The OpenAPI document the service serves at /docs-json. */
  openApi(): OpenAPIObject;
  close(): Promise<void>;
}

/**
 * order-service in this process on Fastify, built from the same module (filter, pipe, guards)
 * as the real service, without listening on a port: requests go through Fastify's `inject`.
 * Swagger UI is not mounted (its static-file plugin is ESM, which jest cannot load); `openApi()`
 * builds the same document the service serves. `extraModules` add test-only controllers;
 * `env` overrides settings.
 */
export async function createTestApp(
  databaseUrl: string,
  extraModules: Type<unknown>[] = [],
  env: Record<string, string> = {},
): Promise<TestApp> {
  const settings = loadConfig(OrderServiceSettings, {
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '5',
    KAFKA_BROKERS: kafkaBrokersForTests().join(','),
    NODE_ENV: 'test',
    // The HTTP tests read the outbox table; no relay or settlement consumer runs unless a test
    // starts one with its own topic prefix.
    OUTBOX_RELAY_ENABLED: 'false',
    SETTLEMENT_ENABLED: 'false',
    ...env,
  });
  const logLines: string[] = [];
  const logger = createLogger({
    service: 'order-service',
    level: 'info',
    destination: { write: (line: string) => void logLines.push(line) },
  });
  const routes: RegisteredRoute[] = [];
  const adapter = new FastifyAdapter();
  adapter.getInstance().addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ method: String(method), url: route.url });
  });

  @Module({ imports: [OrderServiceModule.forRoot(settings, logger), ...extraModules] })
  class TestRootModule {}

  const app = await NestFactory.create<NestFastifyApplication>(
    TestRootModule as unknown as DynamicModule,
    adapter,
    { logger: false },
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const fastify = app.getHttpAdapter().getInstance();

  return {
    app,
    settings,
    routes,
    logLines,
    async request({ method, url, headers = {}, body, rawBody }) {
      const payload = rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
      const response = await fastify.inject({
        method: method as 'GET',
        url,
        headers:
          payload === undefined ? headers : { 'content-type': 'application/json', ...headers },
        payload,
      });
      let parsed: unknown = response.body;
      try {
        parsed = JSON.parse(response.body);
      } catch {
        // Not JSON: keep the text.
      }
      return {
        status: response.statusCode,
        body: parsed as InjectResult['body'],
        headers: response.headers,
      };
    },
    identity(userId, method, url, nowMs = Date.now()) {
      return signInternalIdentity({
        secret: settings.INTERNAL_AUTH_SECRET,
        userId,
        method,
        path: url,
        nowMs,
      });
    },
    admin() {
      return { authorization: `Bearer ${settings.ADMIN_API_TOKEN}` };
    },
    openApi: () => buildOpenApiDocument(app),
    close: () => app.close(),
  };
}
