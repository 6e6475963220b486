/**
 * A dependency that readiness depends on. `check` resolves when the dependency answers and
 * rejects (with a reason) when it does not; it must finish within `DEPENDENCY_CHECK_TIMEOUT_MS`.
 */
export interface DependencyCheck {
  readonly name: string;
  check(): Promise<void>;
}

/** Facts a service reports on its health endpoints besides up/down (an engine's role, say). */
export type HealthDetails = () => Record<string, unknown>;

/** Injection tokens for the health module. */
export const DEPENDENCY_CHECKS = Symbol('DEPENDENCY_CHECKS');
export const HEALTH_DETAILS = Symbol('HEALTH_DETAILS');

/**
 * Bound on one dependency probe: long enough for a loaded local database, short enough that a
 * load balancer's probe (typically 5 s) gets an answer.
 */
export const DEPENDENCY_CHECK_TIMEOUT_MS = 2_000;

/** Rejects if `promise` has not settled within `timeoutMs`. */
export async function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
