import { ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import type { AccessCodeRecord } from '../access-codes/schemas';
import { type UnmanagedCodeRecord, unmanagedCodeRecordSchema } from '../access-codes/unmanaged-schemas';
import { ConflictError, InvalidInputError } from '../errors';
import type { Page, UnmanagedCodeRepository, WriteExtras } from '../ports';
import { type CodeHistoryOptions, codeCreationWrites, extraWrites, withPinClaims } from './dynamodb-access-codes';
import { heldAloneBy, soleClaimItem } from './dynamodb-pin-claims';
import { type Item, decodeCursor, encodeCursor, parseDoc, toItem } from './dynamodb-doc';
import { accessCodeKeys, pinClaimKeys, unmanagedCodeKeys } from './dynamodb-keys';
import type { TableOperations } from './dynamodb-support';

const invalidCursor = () => InvalidInputError.forField('page_cursor', 'Invalid or expired page cursor');
/** A device listing's position: the base and gsi1 sort keys of the last code returned. */
const cursorSchema = z.strictObject({
  sk: z.string().regex(/^UCODE#[0-9a-fA-F-]{36}$/),
  gsi1sk: z.string().regex(/^[0-9T:.+\-Z]{1,40}#[0-9a-fA-F-]{36}$/),
});

const item = (r: UnmanagedCodeRecord): Item => {
  const { workspace_id: ws, device_id: device, created_at: at, access_code_id: id } = r.access_code;
  return toItem({ ...unmanagedCodeKeys.key(ws, id), ...unmanagedCodeKeys.index(ws, device, at, id), doc: r });
};

/**
 * Unmanaged codes on the table: an item per code, listed per device through gsi1. Each also
 * claims its PIN on the device where no managed code holds it, so generated PINs avoid it
 * and a managed code cannot take it, at no extra read.
 */
/** The action attempts a write starts, for the answer of a request it commits. */
const attemptsOf = (extras: WriteExtras | undefined) => (extras?.attempts ?? []).map((a) => a.action_attempt);

export function dynamoDbUnmanagedCodes(table: TableOperations, options: CodeHistoryOptions): UnmanagedCodeRepository {
  const { client, tableName, getItem, collect, transact, put, del } = table;
  const parse = (i: Item) => parseDoc(unmanagedCodeRecordSchema, i);
  /** A conditional transaction: false, and nothing written, when its condition failed (ConflictError). */
  const transactIf = async (...args: Parameters<typeof transact>): Promise<boolean> => {
    try {
      await transact(...args);
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  };
  const claimOf = (r: UnmanagedCodeRecord) => (r.access_code.code === null ? undefined : pinClaimKeys.key(r.access_code.workspace_id, r.access_code.device_id, r.access_code.code));
  /** Claims the code's PIN unless someone holds it (a managed code with the same PIN stays the holder). */
  const claim = async (r: UnmanagedCodeRecord) => {
    const key = claimOf(r);
    if (!key) return;
    try {
      await client.send(new PutItemCommand({ TableName: tableName, Item: soleClaimItem(key, r.access_code.access_code_id), ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  };
  /** Frees the code's PIN claim if it holds it. */
  const release = async (r: UnmanagedCodeRecord) => {
    const key = claimOf(r);
    if (!key) return;
    try {
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: toItem(key), ...heldAloneBy(r.access_code.access_code_id) }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  };
  return {
    async get(workspaceId, accessCodeId) {
      const found = await getItem(unmanagedCodeKeys.key(workspaceId, accessCodeId));
      return found && parse(found);
    },

    async listByDevice(workspaceId, deviceId, query): Promise<Page<UnmanagedCodeRecord>> {
      const cursor = query.cursor === undefined ? undefined : decodeCursor(cursorSchema, query.cursor, invalidCursor);
      const gsi1pk = unmanagedCodeKeys.devicePartition(workspaceId, deviceId);
      const found = await collect(
        {
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :gsi1pk',
          ExpressionAttributeValues: { ':gsi1pk': { S: gsi1pk } },
          ExclusiveStartKey: cursor && toItem({ pk: unmanagedCodeKeys.key(workspaceId, '').pk, sk: cursor.sk, gsi1pk, gsi1sk: cursor.gsi1sk }),
        },
        query.limit + 1,
        parse,
      );
      const page = found.slice(0, query.limit);
      const last = page.at(-1)?.item;
      const next = found.length > query.limit && last ? encodeCursor({ sk: last.sk?.S, gsi1sk: last.gsi1sk?.S }) : null;
      return { items: page.map((f) => f.value), nextCursor: next };
    },

    async create(record, extras) {
      const { workspace_id: ws, access_code_id: id } = record.access_code;
      const created = await transactIf(
        [
          { role: 'code', write: put(item(record), { ConditionExpression: 'attribute_not_exists(pk)' }) },
          // Converted to a managed code meanwhile: the lock's code is Latchkey's now.
          { role: 'code', write: { ConditionCheck: { TableName: table.tableName, Key: toItem(accessCodeKeys.key(ws, id)), ConditionExpression: 'attribute_not_exists(pk)' } } },
          ...extraWrites(table, extras, options),
        ],
        { access_codes: [record.access_code], action_attempts: attemptsOf(extras) },
      );
      if (!created) return false;
      await claim(record);
      return true;
    },

    async replace(record) {
      const stored = await getItem(unmanagedCodeKeys.key(record.access_code.workspace_id, record.access_code.access_code_id));
      // Removed meanwhile (a delete request, another read of the lock): it stays removed.
      if (!stored || !(await transactIf([{ role: 'code', write: put(item(record), { ConditionExpression: 'attribute_exists(pk)' }) }]))) return;
      const before = parse(stored);
      if (before.access_code.code !== record.access_code.code) await release(before);
      await claim(record);
    },

    async remove(workspaceId, accessCodeId, extras?: WriteExtras) {
      const before = await getItem(unmanagedCodeKeys.key(workspaceId, accessCodeId));
      // Removed meanwhile (a sweep and a delete request both saw it go): the other one wrote its event.
      const removed =
        before !== undefined &&
        (await transactIf([{ role: 'code', write: del(unmanagedCodeKeys.key(workspaceId, accessCodeId), { ConditionExpression: 'attribute_exists(pk)' }) }, ...extraWrites(table, extras, options)], {
          action_attempts: attemptsOf(extras),
        }));
      if (removed) await release(parse(before));
      return removed;
    },

    async convert(unmanaged: UnmanagedCodeRecord, managed: AccessCodeRecord, extras?: WriteExtras) {
      const { workspace_id: ws, access_code_id: id } = unmanaged.access_code;
      // The PIN claim the unmanaged code held (same id) passes to the managed code.
      await withPinClaims(
        table,
        async () => [
          { role: 'code', write: del(unmanagedCodeKeys.key(ws, id), { ConditionExpression: 'attribute_exists(pk)' }) },
          ...(await codeCreationWrites(table, [managed])),
          ...extraWrites(table, extras, options),
        ],
        { action_attempts: attemptsOf(extras) },
      );
    },
  };
}
