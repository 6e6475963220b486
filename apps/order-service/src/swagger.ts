import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { IDENTITY_SECURITY_SCHEMES, SECURITY_SCHEMES } from './http/api-docs';

/** Builds the OpenAPI document of order-service from its controllers' decorators. */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  let config = new DocumentBuilder()
    .setTitle('Exchange order-service')
    .setDescription(
      'Orders, balances and operator endpoints. Amounts are decimal strings; errors share one shape ' +
        '`{ code, message, details?, requestId }` with a stable code. Trader routes need the identity ' +
        'the gateway signs (x-user-id, x-auth-ts, x-auth-sig = hex HMAC-SHA256(INTERNAL_AUTH_SECRET, ' +
        '"v1\\n{userId}\\n{ts}\\n{METHOD}\\n{pathWithQuery}")); operator routes need ' +
        '`Authorization: Bearer <ADMIN_API_TOKEN>`.',
    )
    .setVersion('1')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'ADMIN_API_TOKEN' },
      SECURITY_SCHEMES.admin,
    );
  for (const [name, header] of IDENTITY_SECURITY_SCHEMES) {
    config = config.addApiKey(
      { type: 'apiKey', in: 'header', name: header, description: 'Set by the gateway' },
      name,
    );
  }
  return SwaggerModule.createDocument(app, config.build());
}

/** Serves Swagger UI at /docs and the OpenAPI document at /docs-json. */
export function setupSwagger(app: NestFastifyApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
  });
}
