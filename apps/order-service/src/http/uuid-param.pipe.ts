import { ParseUUIDPipe } from '@nestjs/common';
import { DomainRejection, rejectFields } from './domain-rejection';

/** Parses a route parameter as a UUID; anything else is a 400 VALIDATION_FAILED naming it. */
export function uuidParam(field: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () =>
      new DomainRejection(
        rejectFields([{ field, code: 'INVALID_VALUE', message: `${field} must be a UUID` }]),
      ),
  });
}
