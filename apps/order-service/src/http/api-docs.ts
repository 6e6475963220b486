import { UseGuards, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { AdminGuard, INTERNAL_IDENTITY_HEADERS, InternalIdentityGuard } from '@app/auth';
import { ERROR_CODES, type ApiErrorCode } from './error-codes';
import { ErrorResponse } from './error-response';

/** Names of the OpenAPI security schemes (declared in swagger.ts). */
export const SECURITY_SCHEMES = {
  admin: 'admin',
  identityUser: 'identity-user',
  identityTimestamp: 'identity-timestamp',
  identitySignature: 'identity-signature',
} as const;

/** The three identity headers, all required together (one security requirement object). */
export const IDENTITY_SECURITY_SCHEMES = [
  [SECURITY_SCHEMES.identityUser, INTERNAL_IDENTITY_HEADERS.userId],
  [SECURITY_SCHEMES.identityTimestamp, INTERNAL_IDENTITY_HEADERS.timestamp],
  [SECURITY_SCHEMES.identitySignature, INTERNAL_IDENTITY_HEADERS.signature],
] as const;

/** Errors any JSON body can produce before the handler runs. */
export const BODY_ERRORS: readonly ApiErrorCode[] = [
  'VALIDATION_FAILED',
  'UNKNOWN_FIELD',
  'FORBIDDEN_FIELD',
  'MALFORMED_JSON',
];

/**
 * Documents the error responses of a route: one @ApiResponse per status, with the error shape
 * as schema and the codes it may carry. A route lists the codes of its own logic; `TraderRoute`
 * and `AdminRoute` add 401, 403 and 500. Declare each status in one place only (a later
 * declaration of the same status replaces the earlier one).
 */
export function ApiErrors(...codes: readonly ApiErrorCode[]): MethodDecorator {
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const decorators = [...byStatus].map(([status, list]) =>
    ApiResponse({
      status,
      type: ErrorResponse,
      description: list.map((code) => `\`${code}\`: ${ERROR_CODES[code].description}`).join('\n\n'),
    }),
  );
  return applyDecorators(...decorators);
}

/** A trader endpoint: needs the gateway-signed identity; use `@CurrentUser()` for the user id. */
export function TraderRoute(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(InternalIdentityGuard),
    ApiSecurity(Object.fromEntries(IDENTITY_SECURITY_SCHEMES.map(([name]) => [name, []]))),
    ApiErrors('UNAUTHENTICATED', 'INTERNAL'),
  );
}

/** An operator endpoint: needs `Authorization: Bearer <ADMIN_API_TOKEN>`. */
export function AdminRoute(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(AdminGuard),
    ApiBearerAuth(SECURITY_SCHEMES.admin),
    ApiErrors('UNAUTHENTICATED', 'FORBIDDEN', 'INTERNAL'),
  );
}
