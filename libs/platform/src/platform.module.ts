import {
  Global,
  Module,
  type DynamicModule,
  type FactoryProvider,
  type ModuleMetadata,
  type Provider,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { HealthController } from './health.controller';
import { Lifecycle } from './lifecycle';
import {
  DEPENDENCY_CHECKS,
  HEALTH_DETAILS,
  type DependencyCheck,
  type HealthDetails,
} from './readiness';

/** Builds a value from injected dependencies, the way a Nest factory provider does. */
export type Factory<T> = Pick<FactoryProvider<T>, 'inject'> & {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Nest factories take untyped injected values
  readonly useFactory: (...deps: any[]) => T;
};

export interface PlatformModuleOptions {
  /** Modules whose providers the factories below inject (global modules need not be listed). */
  readonly imports?: ModuleMetadata['imports'];
  /** Dependencies readiness probes, each built from the service's own clients. */
  readonly checks?: readonly Factory<DependencyCheck>[];
  /** Details shown on both health endpoints (an engine's role, say). */
  readonly details?: Factory<HealthDetails>;
}

/**
 * What every service has: /health/live and /health/ready (terminus), /metrics (Prometheus; the
 * default process metrics are started by `runService`) and the draining flag that graceful
 * shutdown sets.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformModuleOptions = {}): DynamicModule {
    const checkProviders: FactoryProvider<DependencyCheck>[] = (options.checks ?? []).map(
      (factory, index) => ({ provide: `DEPENDENCY_CHECK_${index}`, ...factory }),
    );
    const checks: Provider = {
      provide: DEPENDENCY_CHECKS,
      inject: checkProviders.map((provider) => provider.provide),
      useFactory: (...found: DependencyCheck[]) => found,
    };
    const details: Provider =
      options.details === undefined
        ? { provide: HEALTH_DETAILS, useValue: () => ({}) }
        : { provide: HEALTH_DETAILS, ...options.details };
    return {
      module: PlatformModule,
      imports: [
        ...(options.imports ?? []),
        TerminusModule.forRoot({ logger: false }),
        PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: false } }),
      ],
      controllers: [HealthController],
      providers: [Lifecycle, ...checkProviders, checks, details],
      exports: [Lifecycle],
    };
  }
}
