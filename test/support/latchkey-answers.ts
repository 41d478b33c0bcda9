import type { Server } from 'node:http';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../lib/http/openapi';
import { matchRoute } from '../../lib/http/routes';
import { toJsonSchema } from './seam-schemas';

/*
 * Latchkey's answers checked against Latchkey's own published document (GET /openapi.json), as
 * the e2e suites check them against Seam's: whatever a test did, each 200 answer the server sent
 * must match the schema its route publishes.
 */

const rootId = 'latchkey';
type Node = Record<string, unknown>;
const document = openApiDocument() as unknown as { paths: Record<string, Record<string, Node>>; components: { schemas: Record<string, unknown> } };

const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
addFormats(ajv);
ajv.addSchema({
  $id: rootId,
  definitions: Object.fromEntries(Object.entries(document.components.schemas).map(([name, schema]) => [name, toJsonSchema(schema, `#/components/schemas/${name}`, rootId)])),
});

const validators = new Map<string, ValidateFunction>();

/** The validator of the 200 answer a route publishes for `method` (or its POST form). */
function answerValidator(path: string, method: string): ValidateFunction | undefined {
  const key = `${method} ${path}`;
  if (!validators.has(key)) {
    const item = document.paths[path];
    const operation = (item?.[method.toLowerCase()] ?? item?.post ?? item?.get) as { responses: Record<string, { content: Record<string, { schema: unknown }> }> } | undefined;
    const schema = operation?.responses['200']?.content['application/json']?.schema;
    if (schema === undefined) return undefined;
    validators.set(key, ajv.compile(toJsonSchema(schema, `#/paths${path}`, rootId)));
  }
  return validators.get(key);
}

/** Where an answer does not match its published schema, one line per error; empty when it does. */
export function latchkeyAnswerErrors(method: string, path: string, body: unknown): string[] {
  const route = matchRoute(path)?.route;
  const validate = route && answerValidator(route.path, method);
  if (!validate) return [`${method} ${path}: no published 200 answer`];
  if (validate(body)) return [];
  return (validate.errors ?? []).slice(0, 20).map((e) => `${method} ${path}: ${e.instancePath || '(root)'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}

/**
 * Records every 200 JSON answer `server` sends to a route of the routes table; `mismatches()`
 * lists those that do not match Latchkey's document, and how many were checked.
 */
export function recordAnswers(server: Server) {
  const found: string[] = [];
  let checked = 0;
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    const { write, end } = res;
    res.write = function (this: typeof res, chunk: unknown, ...rest: unknown[]) {
      if (chunk) chunks.push(Buffer.from(chunk as string));
      return write.call(this, chunk, ...(rest as [BufferEncoding]));
    } as typeof res.write;
    res.end = function (this: typeof res, chunk?: unknown, ...rest: unknown[]) {
      if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as string));
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (res.statusCode === 200 && req.method !== 'HEAD' && matchRoute(path)) {
        checked += 1;
        found.push(...latchkeyAnswerErrors(req.method ?? 'GET', path, JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      }
      return end.call(this, chunk as string, ...(rest as [BufferEncoding]));
    } as typeof res.end;
  });
  return { mismatches: () => ({ checked, errors: [...new Set(found)] }) };
}
