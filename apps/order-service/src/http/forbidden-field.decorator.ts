import { ValidateBy } from 'class-validator';

/** Constraint name the validation pipe maps to FORBIDDEN_FIELD. */
export const FORBIDDEN_FIELD_CONSTRAINT = 'forbiddenField';

/**
 * A field the server assigns and a client must not send (an id, a secret, an owner). Unlike an
 * unknown field, the client evidently meant something by it, so it gets its own code:
 * FORBIDDEN_FIELD, with `reason` as the message.
 */
export function ForbiddenField(reason: string): PropertyDecorator {
  return ValidateBy({
    name: FORBIDDEN_FIELD_CONSTRAINT,
    validator: {
      validate: (value) => value === undefined,
      defaultMessage: (args) => `${args?.property} may not be set: ${reason}`,
    },
  });
}
