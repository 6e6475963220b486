import type { HealthIndicatorResult } from '@nestjs/terminus';
import type { DataSource } from 'typeorm';
import { HEALTH_CHECK_TIMEOUT_MS_DEFAULT } from './constants';

/**
 * The database did not answer the health probe. It carries terminus's `isHealthCheckError` and
 * `causes`, so that a bare terminus indicator reports it as "down" (503) rather than a crash.
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  readonly code = 'DATABASE_UNAVAILABLE';
  readonly isHealthCheckError = true;
  readonly causes: HealthIndicatorResult;

  constructor(reason: string, options?: { cause?: unknown }) {
    super(`database unavailable: ${reason}`, options);
    this.causes = { database: { status: 'down', message: reason } };
  }
}

async function selectOne(dataSource: DataSource, timeoutMs: number): Promise<void> {
  if (!dataSource.isInitialized) throw new Error('connection is not initialized');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([dataSource.query('SELECT 1'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Health probe: resolves when the database answers `SELECT 1` within `timeoutMs` (default
 * 2 000), rejects with `DatabaseUnavailableError` otherwise. It is the `check()` of
 * @app/platform's `DependencyCheck`: `{ name: 'database', check: () => checkDatabase(ds) }`.
 */
export async function checkDatabase(
  dataSource: DataSource,
  timeoutMs: number = HEALTH_CHECK_TIMEOUT_MS_DEFAULT,
): Promise<void> {
  try {
    await selectOne(dataSource, timeoutMs);
  } catch (error) {
    throw new DatabaseUnavailableError(error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
}

/** `checkDatabase` in the `{ name, check() }` shape the platform's readiness probe takes. */
export function databaseCheck(
  dataSource: DataSource,
  timeoutMs: number = HEALTH_CHECK_TIMEOUT_MS_DEFAULT,
) {
  return { name: 'database', check: () => checkDatabase(dataSource, timeoutMs) };
}
