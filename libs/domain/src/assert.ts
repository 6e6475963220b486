// Assertions that stay on in production: a broken invariant in the matching core stops the
// process rather than corrupting money. Business rejections are never thrown; see error-codes.ts.

/** Thrown when an internal invariant of the domain does not hold. A bug, never a user error. */
export class DomainInvariantError extends Error {
  override readonly name = 'DomainInvariantError';
  readonly code = 'DOMAIN_INVARIANT_BROKEN';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Thrown by MatchingEngine.apply when a command broke an invariant of a book: one of the checks
 * the fast book makes after every command (see book/command-invariants.ts), or any other error
 * while applying it (its `cause`). The engine's state is then wrong and its result is withheld.
 * The engine refuses every later command and snapshot with this error too, so no result computed
 * on that state can be published; the process must discard the engine and restore it from the
 * durable state, as a standby does. A bug, never a user error, and never worth retrying on the
 * same engine. Across processes, compare `code`.
 */
export class EngineInvariantError extends Error {
  override readonly name = 'EngineInvariantError';
  readonly code = 'ENGINE_INVARIANT_BROKEN';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Throws DomainInvariantError with `message` unless `condition` holds. */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new DomainInvariantError(message);
  }
}

/** Asserts that `value` is a safe integer in [min, max]. */
export function assertSafeInteger(value: number, min: number, max: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new DomainInvariantError(
      `${what} must be a safe integer in [${min}, ${max}], got ${value}`,
    );
  }
}
