import { Controller, Get, Inject, ServiceUnavailableException, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { HealthExceptionFilter } from './health-exception.filter';
import { Lifecycle } from './lifecycle';
import {
  DEPENDENCY_CHECKS,
  DEPENDENCY_CHECK_TIMEOUT_MS,
  HEALTH_DETAILS,
  withTimeout,
  type DependencyCheck,
  type HealthDetails,
} from './readiness';

/**
 * Liveness says the process runs its event loop; readiness says every dependency the service
 * uses answers and the process is not draining. Both carry the service's details (such as an
 * engine's role) so an operator sees them in one place. A not-ready answer is terminus's 503
 * with its reasons, also in an application with a global exception filter of its own.
 */
@ApiExcludeController()
@Controller('health')
@UseFilters(HealthExceptionFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly lifecycle: Lifecycle,
    @Inject(DEPENDENCY_CHECKS) private readonly checks: DependencyCheck[],
    @Inject(HEALTH_DETAILS) private readonly details: HealthDetails,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([async () => ({ process: { status: 'up', ...this.details() } })]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    if (this.lifecycle.draining) {
      throw new ServiceUnavailableException({ status: 'error', error: { process: 'draining' } });
    }
    return this.health.check([
      async () => ({ process: { status: 'up', ...this.details() } }),
      ...this.checks.map((dependency) => () => this.probe(dependency)),
    ]);
  }

  private async probe(dependency: DependencyCheck): Promise<HealthIndicatorResult> {
    const session = this.indicator.check(dependency.name);
    try {
      await withTimeout(dependency.check(), DEPENDENCY_CHECK_TIMEOUT_MS, dependency.name);
      return session.up();
    } catch (error) {
      return session.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
