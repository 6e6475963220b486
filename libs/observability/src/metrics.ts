import { Histogram, Registry, collectDefaultMetrics, register } from 'prom-client';

/**
 * Every metric of a process lives in prom-client's global registry, which the /metrics endpoint
 * (@willsoto/nestjs-prometheus) serves. Names follow Prometheus conventions: a unit suffix and
 * `_total` for counters.
 */
export const metricsRegistry: Registry = register;

let defaultsStarted = false;

/** Starts the default process metrics (CPU, memory, event loop lag, GC) once per process. */
export function startDefaultMetrics(service: string): void {
  if (defaultsStarted) return;
  defaultsStarted = true;
  metricsRegistry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: metricsRegistry });
}

/** Returns the metric registered under `name`, creating it the first time. */
export function getOrCreate<T>(name: string, create: () => T): T {
  const existing = metricsRegistry.getSingleMetric(name);
  return (existing as T | undefined) ?? create();
}

/** HTTP request durations by method, route pattern and status code. */
export function httpRequestDuration(): Histogram<'method' | 'route' | 'status'> {
  return getOrCreate(
    'http_request_duration_seconds',
    () =>
      new Histogram({
        name: 'http_request_duration_seconds',
        help: 'HTTP request duration by method, route and status code',
        labelNames: ['method', 'route', 'status'] as const,
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers: [metricsRegistry],
      }),
  );
}
