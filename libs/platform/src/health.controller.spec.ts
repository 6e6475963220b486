// Proves readiness turns 503 as soon as shutdown begins, and that a dependency that fails or
// hangs makes readiness report it down by name (terminus's executor with scripted checks).
import { ServiceUnavailableException } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { Lifecycle } from './lifecycle';
import { DEPENDENCY_CHECKS, HEALTH_DETAILS, type DependencyCheck } from './readiness';

async function controllerWith(checks: DependencyCheck[]) {
  const module = await Test.createTestingModule({
    imports: [TerminusModule.forRoot({ logger: false })],
    controllers: [HealthController],
    providers: [
      Lifecycle,
      { provide: DEPENDENCY_CHECKS, useValue: checks },
      { provide: HEALTH_DETAILS, useValue: () => ({ role: 'standby' }) },
    ],
  }).compile();
  return { controller: module.get(HealthController), lifecycle: module.get(Lifecycle) };
}

describe('HealthController', () => {
  it('is ready while dependencies answer, and shows the details', async () => {
    const { controller } = await controllerWith([
      { name: 'database', check: async () => undefined },
    ]);
    const result = await controller.ready();
    expect(result.status).toBe('ok');
    expect(result.details).toEqual({
      process: { status: 'up', role: 'standby' },
      database: { status: 'up' },
    });
  });

  it('reports a failing dependency down by name', async () => {
    const { controller } = await controllerWith([
      { name: 'kafka', check: async () => Promise.reject(new Error('no broker')) },
    ]);
    await expect(controller.ready()).rejects.toMatchObject({
      response: { status: 'error', error: { kafka: { status: 'down', message: 'no broker' } } },
    });
  });

  it('turns not ready once shutdown begins, while liveness stays up', async () => {
    const { controller, lifecycle } = await controllerWith([]);
    lifecycle.beforeApplicationShutdown();
    expect(() => controller.ready()).toThrow(ServiceUnavailableException);
    expect((await controller.live()).status).toBe('ok');
  });
});
