import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type * as z from 'zod';

export type Item = Record<string, AttributeValue>;

/** Reads an item's stored document with its schema: stored data is never trusted by type alone. */
export function parseDoc<T>(schema: z.ZodType<T>, item: Item): T {
  return schema.parse(item.doc === undefined ? undefined : unmarshall({ doc: item.doc }).doc);
}

/** A stored document to and from DynamoDB's attribute values; undefined properties are left out, as JSON would. */
export const toItem = (value: object): Item => marshall(value, { removeUndefinedValues: true });
export const fromItem = (item: Item): Record<string, unknown> => unmarshall(item);

/** A page cursor: the position to resume after, as opaque base64url JSON. */
export const encodeCursor = (position: object): string => Buffer.from(JSON.stringify(position)).toString('base64url');

/**
 * A page cursor back to the position `schema` describes. Anything that is not exactly a cursor
 * this service wrote (other encodings, other JSON, other shapes) is `invalid()`.
 */
export function decodeCursor<T>(schema: z.ZodType<T>, cursor: string, invalid: () => Error): T {
  const bytes = Buffer.from(cursor, 'base64url');
  // The decoder skips what is not base64url; only the exact encoding of a cursor is one.
  if (bytes.toString('base64url') !== cursor) throw invalid();
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid();
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalid();
  return parsed.data;
}
