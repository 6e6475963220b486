// Proves a not-ready answer keeps terminus's 503 and its reasons over HTTP even when the
// application installs a global exception filter that turns every error into a bare 500 (as
// order-service's API filter does): a Fastify app in-process, with scripted dependency checks.
import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { HealthController } from './health.controller';
import { Lifecycle } from './lifecycle';
import { DEPENDENCY_CHECKS, HEALTH_DETAILS } from './readiness';

@Catch()
class EverythingIsInternal implements ExceptionFilter {
  catch(_error: unknown, host: ArgumentsHost): void {
    void host.switchToHttp().getResponse<FastifyReply>().status(500).send({ code: 'INTERNAL' });
  }
}

describe('HealthExceptionFilter', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const module = await Test.createTestingModule({
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        Lifecycle,
        { provide: APP_FILTER, useClass: EverythingIsInternal },
        {
          provide: DEPENDENCY_CHECKS,
          useValue: [{ name: 'kafka', check: () => Promise.reject(new Error('no broker')) }],
        },
        { provide: HEALTH_DETAILS, useValue: () => ({ lagOffsets: 3 }) },
      ],
    }).compile();
    app = module.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      logger: false,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('answers 503 with what is down and why', async () => {
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      status: 'error',
      info: { process: { status: 'up', lagOffsets: 3 } },
      error: { kafka: { status: 'down', message: 'no broker' } },
    });
  });

  it('leaves liveness alone', async () => {
    const response = await app.inject({ method: 'GET', url: '/health/live' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok' });
  });
});
