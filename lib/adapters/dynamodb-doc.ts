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
