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
 * Thrown when a command broke an invariant of the matching engine: by the fast book when one of
 * the checks it makes after every command fails (see book/command-invariants.ts), before the
 * command's result exists; and by MatchingEngine for every command, snapshot and state hash after
 * any command threw part way, so that no result computed on that state can be published. The
 * process must discard the engine and restore it from the durable state, as a standby does. A bug,
 * never a user error, and never worth retrying on the same engine. Across processes, compare
 * `code`.
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
