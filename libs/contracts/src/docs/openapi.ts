// Builds OpenAPI 3.1 documents from REST_ROUTES: never written by hand.
import { z } from 'zod';
import { ERROR_HTTP_STATUS, ErrorBodySchema } from '../errors';
import { REST_ROUTES, type RouteContract, type ServiceName } from '../rest/routes';

type JsonObject = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}

function pathParameters(path: string): JsonObject[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string', format: 'uuid' },
  }));
}

function queryParameters(schema: z.ZodType | undefined): JsonObject[] {
  if (!schema) return [];
  const js = jsonSchema(schema, 'input');
  const properties = (js.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((js.required ?? []) as string[]);
  return Object.entries(properties).map(([name, s]) => ({ name, in: 'query', required: required.has(name), schema: s }));
}

function operation(route: RouteContract): JsonObject {
  const errorBody = { 'application/json': { schema: jsonSchema(ErrorBodySchema, 'output') } };
  const statuses = new Set([400, 503, ...(route.authenticated ? [401] : []), ...(route.errors ?? [])]);
  const responses: JsonObject = {
    [route.success.status]: route.success.body
      ? { description: 'success', content: { 'application/json': { schema: jsonSchema(route.success.body, 'output') } } }
      : { description: 'success' },
  };
  for (const status of statuses) {
    const code = Object.entries(ERROR_HTTP_STATUS).find(([, s]) => s === status)?.[0] ?? 'error';
    responses[status] = { description: code, content: errorBody };
  }
  return {
    summary: route.summary,
    tags: [route.service],
    parameters: [...pathParameters(route.path), ...queryParameters(route.query)],
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
    ...(route.authenticated ? { security: [{ bearer: [] }] } : {}),
    responses,
  };
}

/** The OpenAPI document of one service's routes, or of the whole origin when no service is named. */
export function buildOpenApiDocument(options: { title: string; version: string; service?: ServiceName }): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of REST_ROUTES.filter((r) => !options.service || r.service === options.service)) {
    paths[route.path] = { ...(paths[route.path] ?? {}), [route.method]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: { title: options.title, version: options.version },
    paths,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
  };
}
