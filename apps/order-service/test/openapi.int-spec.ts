// Proves that the OpenAPI document covers every route the router serves: each has a summary, a
// success schema, its path parameters, its security requirement and every error status it can
// return with the shared error schema. It walks the router, so routes added later (orders) are
// held to the same rule; only the infrastructure endpoints below are exempt.
import type {
  OpenAPIObject,
  OperationObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { ERROR_CODES } from '../src/http/error-codes';
import { createTestApp, type RegisteredRoute, type TestApp } from './support/test-app';

/** Probes and metrics for orchestrators and Prometheus, not part of the API. */
const INFRASTRUCTURE_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

const ERROR_SCHEMA_REF = '#/components/schemas/ErrorResponse';

function schemaRef(response: ResponseObject | ReferenceObject | undefined): string | undefined {
  const schema = (response as ResponseObject | undefined)?.content?.['application/json']?.schema;
  if (schema === undefined) return undefined;
  if ('$ref' in schema) return schema.$ref;
  const items = (schema as SchemaObject).items;
  return items !== undefined && '$ref' in items ? items.$ref : undefined;
}

function componentOf(document: OpenAPIObject, ref: string): SchemaObject | undefined {
  return document.components?.schemas?.[ref.replace('#/components/schemas/', '')] as
    SchemaObject | undefined;
}

/** Everything wrong with one route's documentation; [] when it is complete. */
function problemsOf(document: OpenAPIObject, route: RegisteredRoute): string[] {
  const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
  const operation = document.paths[path]?.[route.method.toLowerCase() as 'get'] as
    OperationObject | undefined;
  if (operation === undefined) return ['not documented'];
  const problems: string[] = [];
  if (!operation.summary?.trim()) problems.push('no @ApiOperation summary');
  const responses = operation.responses ?? {};
  const success = Object.entries(responses).filter(([status]) => /^2\d\d$/.test(status));
  if (success.length === 0) problems.push('no success response');
  for (const [status, response] of success) {
    if (status === '204') continue;
    const ref = schemaRef(response);
    if (ref === undefined) problems.push(`${status} has no schema`);
    else if (Object.keys(componentOf(document, ref)?.properties ?? {}).length === 0) {
      problems.push(`${status} schema ${ref} has no @ApiProperty fields`);
    }
  }
  const required = ['500'];
  const params = [...route.url.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1]);
  if (route.url.startsWith('/api/v1/')) required.push('401');
  if (route.url.startsWith('/api/v1/admin/')) required.push('403');
  if (operation.requestBody !== undefined) required.push('400');
  for (const status of required) {
    if (responses[status] === undefined) problems.push(`no ${status} response`);
  }
  for (const [status, response] of Object.entries(responses)) {
    if (/^[45]\d\d$/.test(status) && schemaRef(response) !== ERROR_SCHEMA_REF) {
      problems.push(`${status} does not use the ErrorResponse schema`);
    }
  }
  const documentedParams = (operation.parameters ?? []).map((p) => ('name' in p ? p.name : ''));
  for (const param of params) {
    if (!documentedParams.includes(param)) problems.push(`path parameter ${param} not documented`);
  }
  if (route.url.startsWith('/api/v1/')) {
    const schemes = (operation.security ?? []).flatMap((requirement) => Object.keys(requirement));
    const expected = route.url.startsWith('/api/v1/admin/')
      ? ['admin']
      : ['identity-user', 'identity-timestamp', 'identity-signature'];
    if (expected.some((scheme) => !schemes.includes(scheme))) {
      problems.push(`security ${JSON.stringify(schemes)} lacks ${expected.join(', ')}`);
    }
  }
  return problems;
}

describe('OpenAPI document', () => {
  let database: TestDatabase;
  let service: TestApp;
  let document: OpenAPIObject;

  beforeAll(async () => {
    database = await createTestDatabase('openapi');
    service = await createTestApp(database.url);
    document = service.openApi();
  });

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  it('documents every route the router serves', () => {
    const routes = service.routes.filter(
      (route) =>
        !['HEAD', 'OPTIONS'].includes(route.method) && !INFRASTRUCTURE_ROUTES.has(route.url),
    );
    expect(routes.length).toBeGreaterThanOrEqual(7);
    const problems = Object.fromEntries(
      routes
        .map((route) => [`${route.method} ${route.url}`, problemsOf(document, route)] as const)
        .filter(([, found]) => found.length > 0),
    );
    expect(problems).toEqual({});
  });

  it('declares the security schemes and the error shape with every code', () => {
    expect(document.components?.securitySchemes).toMatchObject({
      admin: { type: 'http', scheme: 'bearer' },
      'identity-user': { type: 'apiKey', in: 'header', name: 'x-user-id' },
      'identity-timestamp': { type: 'apiKey', in: 'header', name: 'x-auth-ts' },
      'identity-signature': { type: 'apiKey', in: 'header', name: 'x-auth-sig' },
    });
    const error = componentOf(document, ERROR_SCHEMA_REF) as SchemaObject;
    expect(Object.keys(error.properties ?? {}).sort()).toEqual([
      'code',
      'details',
      'message',
      'requestId',
    ]);
    expect(error.required?.sort()).toEqual(['code', 'message', 'requestId']);
    const codes = (error.properties?.code as SchemaObject).enum;
    expect(codes?.sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });
});
