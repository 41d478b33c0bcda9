import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { InvalidInputError, PayloadTooLargeError, type ValidationTree } from '../errors';

type Shape = Record<string, z.ZodType>;

/**
 * The form of a query-string value that the field's schema accepts: the string itself, else
 * a boolean (`true`/`false`), a number, or a list (repeated keys, `k[]=`).
 */
function coerceQueryValue(field: z.ZodType | undefined, values: string[]): unknown {
  const single = values.length === 1 ? values[0] : undefined;
  if (!field) return single ?? values;
  const accepts = (v: unknown) => field.safeParse(v).success;
  const scalar = (v: string): unknown => {
    if (accepts(v)) return v;
    if ((v === 'true' || v === 'false') && accepts(v === 'true')) return v === 'true';
    if (v.trim() !== '' && !Number.isNaN(Number(v)) && accepts(Number(v))) return Number(v);
    return v;
  };
  const wantsList = single === undefined || accepts([]) || accepts([scalar(single)]);
  return wantsList ? values.map(scalar) : scalar(single);
}

function queryInput(shape: Shape, rawQuery: string | undefined): Record<string, unknown> {
  // Most requests are POSTs with a JSON body and no query string.
  if (rawQuery === undefined || rawQuery === '') return {};
  const grouped = new Map<string, string[]>();
  for (const [rawKey, value] of new URLSearchParams(rawQuery)) {
    const key = rawKey.endsWith('[]') ? rawKey.slice(0, -2) : rawKey;
    grouped.set(key, [...(grouped.get(key) ?? []), value]);
  }
  // Only the schema's own fields: `shape.constructor` or `shape.toString` is Object.prototype's.
  const fieldOf = (key: string) => (Object.hasOwn(shape, key) ? shape[key] : undefined);
  return Object.fromEntries([...grouped].map(([key, values]) => [key, coerceQueryValue(fieldOf(key), values)]));
}

function bodyInput(event: APIGatewayProxyEventV2, maxBytes: number): Record<string, unknown> {
  if (!event.body) return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text) > maxBytes) throw new PayloadTooLargeError(maxBytes);
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidInputError('Request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidInputError('Request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

const describeIssue = (issue: z.core.$ZodIssue): string => (issue.path.length === 0 ? issue.message : `${issue.message} for "${issue.path.join('.')}"`);

/** Validates parameters with the route's schema; a Seam-shaped invalid_input naming each field otherwise. */
export function validate<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  throw new InvalidInputError(first ? describeIssue(first) : 'Invalid input', z.formatError(result.error) as ValidationTree);
}

/**
 * The route's parameters from the query string and the JSON body (the body wins), as the
 * official clients send them: reads as GET query or POST body, deletes as DELETE query.
 */
export function parseInput<S extends z.ZodObject>(schema: S, event: APIGatewayProxyEventV2, maxBodyBytes: number): z.infer<S> {
  return validate(schema, rawInput(schema, event, maxBodyBytes));
}

/** The parameters as sent, before validation: query values in the form the schema accepts, the body's fields over them. */
export const rawInput = (schema: z.ZodObject, event: APIGatewayProxyEventV2, maxBodyBytes: number): Record<string, unknown> => ({
  ...queryInput(schema.shape, event.rawQueryString),
  ...bodyInput(event, maxBodyBytes),
});

/** The bearer token of the Authorization header, if any. */
export const bearerToken = (event: APIGatewayProxyEventV2): string | undefined => /^Bearer\s+(\S+)$/i.exec(event.headers?.authorization ?? '')?.[1];
