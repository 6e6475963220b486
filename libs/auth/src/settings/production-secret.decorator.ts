import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';

/** The NODE_ENV value in which development defaults of secrets are refused. */
export const PRODUCTION_NODE_ENV = 'production';

function isProduction(source: unknown): boolean {
  return (source as { NODE_ENV?: unknown } | null)?.NODE_ENV === PRODUCTION_NODE_ENV;
}

/**
 * A secret setting (for `loadConfig` settings classes, with an initialiser of '') that falls
 * back to `developmentDefault` for local runs, but must be set, to something else, when
 * NODE_ENV=production: the development value is in this repository, so it protects nothing.
 * The class must declare `NODE_ENV` before the secret.
 */
export function ProductionSecret(developmentDefault: string): PropertyDecorator {
  const fillDefault = Transform(({ value, obj }) =>
    (value === '' || value === undefined) && !isProduction(obj) ? developmentDefault : value,
  );
  const refuseDefault = ValidateBy({
    name: 'productionSecret',
    validator: {
      validate: (value, args) =>
        !isProduction(args?.object) || (value !== '' && value !== developmentDefault),
      defaultMessage: () =>
        `must be set when NODE_ENV=${PRODUCTION_NODE_ENV} (the development default is refused)`,
    },
  });
  return (target, propertyKey) => {
    fillDefault(target, propertyKey);
    refuseDefault(target, propertyKey);
  };
}
