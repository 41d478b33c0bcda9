import * as z from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import type { CallerKind } from '../principals/principal';
import { idempotencyKeySchema } from './idempotency-key';
import { type RouteContract, resources, routeContracts } from './route-contract';
import { callersOf, type RouteDefinition, type RoutePath, routes } from './routes';

type Method = RouteDefinition['methods'][number];
type OpenApiDocument = ReturnType<typeof createDocument>;

/** Seam's security schemes, by the names its tools read. */
const securitySchemes = {
  api_key: { type: 'http', scheme: 'bearer', bearerFormat: 'API Key' },
  client_session: { type: 'http', scheme: 'bearer', bearerFormat: 'Client Session Token' },
  client_session_token: { type: 'apiKey', in: 'header', name: 'client-session-token' },
  pat_with_workspace: { type: 'http', scheme: 'bearer', bearerFormat: 'API Token' },
  pat_without_workspace: { type: 'http', scheme: 'bearer', bearerFormat: 'API Token' },
  seam_workspace: { type: 'apiKey', in: 'header', name: 'seam-workspace' },
  publishable_key: { type: 'apiKey', in: 'header', name: 'seam-publishable-key' },
} as const;

/** Each kind of caller as a security requirement of the document. */
const securityOf: Record<CallerKind, Record<string, string[]>> = {
  api_key: { api_key: [] },
  personal_access_token: { pat_with_workspace: [], seam_workspace: [] },
  personal_access_token_without_workspace: { pat_without_workspace: [] },
  client_session: { client_session: [] },
  publishable_key: { publishable_key: [] },
};

/** Seam's error body, as lib/http/responses.ts writes it. */
const errorSchema = z.object({
  error: z.object({
    type: z.string().meta({ description: 'invalid_input, unauthorized, device_not_found, access_code_not_found, duplicate_access_code, method_not_allowed, ...' }),
    message: z.string(),
    request_id: z.string(),
    validation_errors: z.record(z.string(), z.unknown()).optional().meta({ description: "invalid_input: zod's format() tree, naming each field" }),
  }),
  ok: z.literal(false),
});

/** Every error answer, whatever its status, as Seam's document lists them. */
const errorAnswer = {
  description:
    "Seam's error body: 400 invalid_input (validation_errors names the field), 401 unauthorized, 404 device_not_found / access_code_not_found / not_found, 405 method_not_allowed, 409 duplicate_access_code / idempotency_key_in_use, 413 payload_too_large, 422 idempotency_key_reused, 500 (the message names only the request id)",
  content: { 'application/json': { schema: errorSchema } },
};

/**
 * The verbs documented per route. Seam's tools take at most two per route (POST and the one
 * its SDK uses), so PUT is left out where a route also takes PATCH, as Seam's document does.
 */
function documentedMethods(route: RouteDefinition): readonly Method[] {
  if (route.methods.length <= 2 || route.path === '/access_codes/update') return route.methods;
  return route.methods.filter((m) => m !== 'PUT');
}

const latchkeyNote = (text: string) => `Latchkey's addition: ${text}`;

/** The header every write route takes (lib/http/idempotency-key.ts). */
const idempotencyHeader = z.object({
  'Idempotency-Key': idempotencyKeySchema.optional().meta({
    description:
      'Makes a retry safe: a repeat of the request with the same key within 24 h gets the first answer again (idempotent-replayed: true) and changes nothing; the key with another request is 422 idempotency_key_reused.',
  }),
});

function operation(route: RouteDefinition, contract: RouteContract, method: Method): ZodOpenApiOperationObject {
  const segments = route.path.split('/').filter(Boolean);
  const group = segments.slice(0, -1);
  const name = segments.at(-1) ?? '';
  const answer = contract.bare ? contract.answer : contract.answer.extend({ ok: z.literal(true) });
  const input = contract.input;
  const inQuery = method === 'GET' || method === 'DELETE';
  const pathParameters = [...route.path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1] ?? '');
  const extraVerbs = route.methods.filter((m) => !documentedMethods(route).includes(m));
  const description = [contract.latchkey ? latchkeyNote(contract.latchkey) : undefined, extraVerbs.length > 0 ? `Also takes ${extraVerbs.join(', ')}.` : undefined].filter(Boolean).join(' ');
  return {
    operationId: `${method.toLowerCase()}${segments
      .map((s) => s.replace(/[^a-z0-9]+(.)?/gi, (_, c: string | undefined) => (c ?? '').toUpperCase()))
      .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
      .join('')}`,
    summary: route.path,
    ...(description && { description }),
    security: callersOf(route).map((kind) => securityOf[kind]),
    requestParams: {
      ...(pathParameters.length > 0 && { path: z.object(Object.fromEntries(pathParameters.map((p) => [p, z.string()]))) }),
      ...(input && inQuery && { query: input }),
      ...(input && route.writes && { header: idempotencyHeader }),
    },
    ...(input && !inQuery && { requestBody: { content: { 'application/json': { schema: input } } } }),
    responses: {
      '200': { description: 'OK', content: { 'application/json': { schema: answer } } },
      default: errorAnswer,
    },
    'x-fern-sdk-group-name': group.length > 0 ? group : [name],
    'x-fern-sdk-method-name': name,
    ...(contract.responseKey !== null && { 'x-fern-sdk-return-value': contract.responseKey }),
    'x-response-key': contract.responseKey,
    'x-title': contract.title,
    ...(contract.actionAttemptType && { 'x-action-attempt-type': contract.actionAttemptType }),
    // Routes that are not Seam's API (an incoming webhook, this document) are left out of Seam's SDKs and CLI.
    ...((!contract.input || contract.bare) && { 'x-undocumented': latchkeyNote(contract.latchkey ?? 'not part of Seam’s API') }),
  } as ZodOpenApiOperationObject;
}

/**
 * A field Latchkey refuses (z.never(): Seam's customers and user identities) has no type, which
 * Seam's tools cannot document: it is shown as the string Seam takes, marked undocumented.
 */
function refusedField(jsonSchema: Record<string, unknown>) {
  delete jsonSchema.not;
  Object.assign(jsonSchema, { type: 'string', 'x-undocumented': latchkeyNote('not supported: any value is refused with invalid_input') });
}

type Node = { properties?: Record<string, { enum?: unknown[] }> };

/**
 * A union as Seam writes one: `oneOf`, with a discriminator when every branch is an object
 * whose first property is an enum (code_constraints' `constraint_type`).
 */
function unionAsOneOf(jsonSchema: Record<string, unknown>) {
  const branches = jsonSchema.anyOf as Node[];
  delete jsonSchema.anyOf;
  jsonSchema.oneOf = branches;
  const key = Object.keys(branches[0]?.properties ?? {})[0];
  if (key !== undefined && branches.every((b) => Array.isArray(b.properties?.[key]?.enum))) jsonSchema.discriminator ??= { propertyName: key };
}

const seamShapes = ({ jsonSchema, zodSchema }: { jsonSchema: Record<string, unknown>; zodSchema: z.core.$ZodType }) => {
  const kind = zodSchema._zod.def.type;
  if (kind === 'never') refusedField(jsonSchema);
  else if (kind === 'union' && Array.isArray(jsonSchema.anyOf)) unionAsOneOf(jsonSchema);
};

/** The OpenAPI 3.0 document of every route of the routes table, from the zod schemas that parse its requests and describe its answers. */
export function buildOpenApiDocument(version: string): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes) {
    const contract = routeContracts[route.path as RoutePath];
    paths[route.path] = Object.fromEntries(documentedMethods(route).map((method) => [method.toLowerCase(), operation(route, contract, method)]));
  }
  return createDocument(
    {
      openapi: '3.0.3',
      info: {
        title: 'Latchkey',
        version,
        description: "Seam's access-codes API, served by Latchkey from your own AWS account. Descriptions that begin with \"Latchkey's addition\" mark routes and fields Seam's API does not have.",
      },
      paths,
      components: {
        schemas: resources,
        securitySchemes,
      },
    },
    { override: seamShapes },
  );
}

let built: OpenApiDocument | undefined;

/** The document, built on first use (once per cold start) and kept. */
export function openApiDocument(): OpenApiDocument {
  built ??= buildOpenApiDocument('1.0.0');
  return built;
}
