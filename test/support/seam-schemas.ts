import { type AccessCode, type ActionAttempt, type ConnectedAccount, type Device, type Pagination, type SeamEvent, type UnmanagedAccessCode, openapi } from '@seamapi/types/connect';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/*
 * Ajv validators for Seam's own published schemas (the OpenAPI 3.0 document in
 * @seamapi/types), so the e2e suites check Latchkey's responses against Seam's contract
 * rather than against Latchkey's zod schemas, which would only agree with themselves.
 */

type SchemaNode = Record<string, unknown>;

/** The Seam objects checked here, by component name, with the types @seamapi/types gives them. */
export interface SeamObjects {
  access_code: AccessCode;
  connected_account: ConnectedAccount;
  action_attempt: ActionAttempt;
  device: Device;
  event: SeamEvent;
  pagination: Pagination;
  unmanaged_access_code: UnmanagedAccessCode;
}
export type SeamSchemaName = keyof SeamObjects;

const rootId = 'seam-connect';
const componentRef = '#/components/schemas/';

/** OpenAPI-only keywords JSON Schema has no meaning for; `x-*` extensions are dropped too. */
const openApiOnly = new Set(['nullable', 'discriminator', 'example', 'examples', 'xml', 'externalDocs']);
const schemaMaps = new Set(['properties', 'patternProperties']);
const schemaLists = new Set(['oneOf', 'anyOf', 'allOf']);
const schemaValued = new Set(['items', 'additionalProperties', 'not', 'propertyNames']);

const isObject = (v: unknown): v is SchemaNode => typeof v === 'object' && v !== null && !Array.isArray(v);

function asNode(value: unknown, where: string): SchemaNode {
  if (!isObject(value)) throw new Error(`Expected a schema object at ${where}`);
  return value;
}

const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
addFormats(ajv);

/** OpenAPI 3.0 `nullable: true` as JSON Schema: null joins the type (and enum), or the whole schema becomes one of two. */
function withNull(schema: SchemaNode): SchemaNode {
  const composed = ['$ref', 'oneOf', 'anyOf', 'allOf'].some((k) => k in schema);
  if (composed) return { anyOf: [schema, { type: 'null' }] };
  const withEnum = Array.isArray(schema.enum) ? { enum: [...new Set([...schema.enum, null])] } : {};
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'], ...withEnum };
  // No type and no enum: the schema already accepts null.
  return { ...schema, ...withEnum };
}

/**
 * One OpenAPI 3.0 schema object as a draft-07 JSON Schema that Ajv compiles in strict mode;
 * its component references point into the schema registered as `refRoot`.
 */
export function toJsonSchema(openApiSchema: unknown, where = '#', refRoot = rootId): SchemaNode {
  const node = asNode(openApiSchema, where);
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-') || openApiOnly.has(key)) continue;
    if (key === 'format' && !(typeof value === 'string' && value in ajv.formats)) continue;
    if (key === '$ref' && typeof value === 'string') {
      if (!value.startsWith(componentRef)) throw new Error(`Unsupported $ref ${value}`);
      out.$ref = `${refRoot}#/definitions/${value.slice(componentRef.length)}`;
    } else if (schemaMaps.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v, `${where}/${key}/${k}`, refRoot)]));
    } else if (schemaLists.has(key) && Array.isArray(value)) {
      out[key] = value.map((v, i) => toJsonSchema(v, `${where}/${key}/${i}`, refRoot));
    } else if (schemaValued.has(key) && isObject(value)) {
      out[key] = toJsonSchema(value, `${where}/${key}`, refRoot);
    } else {
      out[key] = value;
    }
  }
  // OpenAPI 3.0 marks the bound exclusive with a boolean; JSON Schema gives the bound itself.
  for (const [exclusive, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (out[exclusive] === true) {
      out[exclusive] = out[bound];
      delete out[bound];
    } else if (out[exclusive] === false) {
      delete out[exclusive];
    }
  }
  return node.nullable === true ? withNull(out) : out;
}

const document: unknown = openapi;
const components = asNode(isObject(document) && isObject(document.components) ? document.components.schemas : undefined, '#/components/schemas');
ajv.addSchema({
  $id: rootId,
  definitions: Object.fromEntries(Object.entries(components).map(([name, schema]) => [name, toJsonSchema(schema, `${componentRef}${name}`)])),
});

const compiled = new Map<SeamSchemaName, ValidateFunction>();

function validator(name: SeamSchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (validate === undefined) {
    validate = ajv.getSchema(`${rootId}#/definitions/${name}`);
    if (validate === undefined) throw new Error(`No schema ${name} in Seam's OpenAPI components`);
    compiled.set(name, validate);
  }
  return validate;
}

/**
 * The errors worth reading. A value checked against a oneOf (109 event types, 21 error codes)
 * fails every branch it was not meant for on that branch's tag (`event_type`, `error_code`):
 * those branches are left out, keeping the errors of the branch the value claims to be.
 */
function relevantErrors(errors: ErrorObject[]): ErrorObject[] {
  const mismatched = errors
    .filter((e) => e.keyword === 'enum' || e.keyword === 'const')
    .map((e) => /^(.*\/(?:oneOf|anyOf)\/\d+)\/properties\/[^/]+\/(?:enum|const)$/.exec(e.schemaPath)?.[1])
    .filter((branch): branch is string => branch !== undefined);
  const kept = errors.filter((e) => !mismatched.some((branch) => e.schemaPath.startsWith(`${branch}/`)));
  const informative = kept.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf');
  return informative.length > 0 ? kept : errors;
}

const formatError = (e: ErrorObject) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}  [${e.schemaPath}]`;

/** Ajv's errors for `value` against Seam's published `schemaName` schema, one line each; empty when it matches. */
export function seamSchemaErrors(schemaName: SeamSchemaName, value: unknown): string[] {
  const validate = validator(schemaName);
  if (validate(value)) return [];
  return relevantErrors(validate.errors ?? [])
    .slice(0, 40)
    .map(formatError);
}

/** Fails the test, listing Ajv's errors, unless `value` matches Seam's published `schemaName` schema. */
export function expectValid<N extends SeamSchemaName>(schemaName: N, value: unknown): asserts value is SeamObjects[N] {
  const errors = seamSchemaErrors(schemaName, value);
  if (errors.length === 0) return;
  throw new Error(`Not a valid Seam ${schemaName} (OpenAPI schema from @seamapi/types):\n  ${errors.join('\n  ')}\nValue: ${JSON.stringify(value, null, 2)}`);
}

const responseValidators = new Map<string, ValidateFunction>();

/** The published schema of a route's 200 answer (its POST form, which every route has). */
function responseValidator(path: string): ValidateFunction {
  let validate = responseValidators.get(path);
  if (validate === undefined) {
    const paths = asNode(isObject(document) ? document.paths : undefined, '#/paths');
    const route = asNode(paths[path], `#/paths${path}`);
    const post = asNode(route.post, `#/paths${path}/post`);
    const responses = asNode(post.responses, 'responses');
    const ok = asNode(responses['200'], 'responses/200');
    const content = asNode(ok.content, 'content');
    const json = asNode(content['application/json'], 'application/json');
    validate = ajv.compile(toJsonSchema(json.schema, `#/paths${path}/post/responses/200`));
    responseValidators.set(path, validate);
  }
  return validate;
}

/** Fails the test unless `body` is a valid 200 answer of `path` by Seam's published OpenAPI document. */
export function expectValidResponse(path: string, body: unknown): void {
  const validate = responseValidator(path);
  if (validate(body)) return;
  const errors = relevantErrors(validate.errors ?? [])
    .slice(0, 40)
    .map(formatError);
  throw new Error(`Not a valid Seam answer of ${path}:\n  ${errors.join('\n  ')}\nValue: ${JSON.stringify(body, null, 2)}`);
}
