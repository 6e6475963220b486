import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** Thrown when one or more settings are missing or malformed; the message names each one. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';

  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}

/**
 * Builds a validated settings object from environment variables. Class properties are named
 * after the variables they read, carry their defaults as initialisers, and use the
 * class-validator decorators (plus the converters in `converters.ts`) to describe what is
 * acceptable. Unknown variables are ignored; every problem is reported at once.
 */
export function loadConfig<T extends object>(
  schema: ClassConstructor<T>,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const defaults = new schema() as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) {
    const value = env[key];
    // An empty variable counts as unset, the way shells and compose files commonly leave them.
    raw[key] = value === undefined || value === '' ? defaults[key] : value;
  }
  const config = plainToInstance(schema, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: false, forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigError(errors.flatMap((error) => describe(error, raw)));
  return Object.freeze(config);
}

/** Variables whose values are never echoed in an error message (they are credentials). */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|_KEY$/;

/** Names the variable and shows the value as it was given (masked for credentials). */
function describe(error: ValidationError, raw: Record<string, unknown>): string[] {
  const given = raw[error.property];
  const unset = given === '' || given === undefined;
  const shown = unset
    ? '(unset)'
    : SECRET_NAME.test(error.property)
      ? '(hidden)'
      : JSON.stringify(given);
  const reasons = Object.values(error.constraints ?? {});
  if (reasons.length === 0) return error.children?.flatMap((child) => describe(child, raw)) ?? [];
  return [`${error.property}=${shown}: ${reasons.join(', ')}`];
}
