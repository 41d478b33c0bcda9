import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  TransactionConflictException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ConflictError, EntryAlreadyRecordedError, IdempotencyKeyInUseError } from '../errors';
import type { KeptAnswer } from '../idempotency/schemas';
import { keyDigest, sealAnswer } from '../idempotency/seal';
import { type KeyClaim, type Written, currentUnitOfWork } from '../idempotency/unit-of-work';
import { PinClaimMovedError, TransactionContentionError, retry, retryPolicies } from '../retry';
import { batchedGets } from './dynamodb-batched-gets';
import { type Item, toItem } from './dynamodb-doc';
import { type TableKey, idempotencyKeyKeys } from './dynamodb-keys';

/*
 * What every repository on the single table shares: item (un)marshalling, schema-checked
 * documents, paged queries that honour filters, and transactions whose cancellations become
 * domain errors.
 */

/**
 * What a transaction's write is, so that a cancellation reason maps to the right domain error:
 * `code` and `item` (a stored item's own condition: it changed or exists) are ConflictError; `pin` (a PIN
 * claim no longer as read) is PinClaimMovedError, to be read and written again.
 */
export type WriteRole = 'code' | 'item' | 'pin' | 'commonCodeKey' | 'idempotencyKey' | 'entry' | 'extra';

export interface Condition {
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

export interface TableWrite {
  role: WriteRole;
  write: TransactWriteItem;
}

/** The condition that a request still holds its idempotency key in `state`. */
export const keyIsHeld = (claim: KeyClaim, state: 'running' | 'committed' | 'answered') => ({
  ConditionExpression: '#doc.#token = :token AND #doc.#state = :state',
  ExpressionAttributeValues: toItem({ ':token': claim.token, ':state': state }),
});

/**
 * The write that commits a request's idempotency key inside the transaction of its stored
 * change: the key becomes `committed` with the answer that change implies, if the request still holds it.
 */
export function keyCommitWrite(tableName: string, claim: KeyClaim, answer: KeptAnswer): TableWrite {
  const condition = keyIsHeld(claim, 'running');
  return {
    role: 'idempotencyKey',
    write: {
      Update: {
        TableName: tableName,
        Key: toItem(idempotencyKeyKeys.key(claim.workspaceId, keyDigest(claim.key))),
        UpdateExpression: 'SET #doc.#state = :committed, #doc.#answer = :answer',
        ConditionExpression: condition.ConditionExpression,
        ExpressionAttributeNames: { '#doc': 'doc', '#state': 'state', '#token': 'token', '#answer': 'answer' },
        ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ...toItem({ ':committed': 'committed', ':answer': sealAnswer(claim, answer) }) },
      },
    },
  };
}

const FILTERED_PAGE_SIZE = 100;
export const versionIs = (version: number): Condition => ({
  ConditionExpression: '#doc.#version = :expected',
  ExpressionAttributeNames: { '#doc': 'doc', '#version': 'version' },
  ExpressionAttributeValues: { ':expected': { N: String(version) } },
});

/**
 * The domain error for writes whose condition failed, by the role of the write (`failed` says
 * which roles did), or undefined when none of them maps to one.
 */
function conditionError(failed: (role: WriteRole) => boolean): Error | undefined {
  // A repeated entry report: nothing of it is written twice, whatever else moved meanwhile.
  if (failed('entry')) return new EntryAlreadyRecordedError();
  if (failed('code') || failed('item')) return new ConflictError();
  if (failed('pin')) return new PinClaimMovedError();
  if (failed('commonCodeKey')) return new ConflictError('common_code_key is bound to another code');
  if (failed('idempotencyKey')) return new IdempotencyKeyInUseError();
  return undefined;
}

/** The operations of one table that the repositories build on. */
export function tableOperations(client: DynamoDBClient, tableName: string) {
  /** A strongly consistent read; reads asked for at once go out as one BatchGetItem (batchedGets). */
  const getItem = batchedGets(client, tableName);

  const putItem = async (item: Item): Promise<void> => {
    await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
  };

  /**
   * Reads Query pages until `wanted` items pass `pick` (which parses an item, or returns
   * undefined to skip it) or the results end. DynamoDB applies `Limit` before any filter, so
   * filtered reads loop here instead of trusting one page.
   */
  async function collect<T>(input: Omit<QueryCommandInput, 'TableName' | 'Limit'>, wanted: number, pick: (item: Item) => T | undefined, filtered = false): Promise<{ item: Item; value: T }[]> {
    const found: { item: Item; value: T }[] = [];
    let startKey = input.ExclusiveStartKey;
    do {
      const remaining = wanted - found.length;
      const limit = Number.isFinite(remaining) ? (filtered ? Math.max(remaining, FILTERED_PAGE_SIZE) : remaining) : undefined;
      const page = await client.send(new QueryCommand({ ...input, TableName: tableName, ExclusiveStartKey: startKey, Limit: limit }));
      for (const item of page.Items ?? []) {
        const value = pick(item);
        if (value === undefined) continue;
        found.push({ item, value });
        if (found.length >= wanted) return found;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return found;
  }

  /** Every item a Query matches, page after page. */
  const queryAll = async (input: Omit<QueryCommandInput, 'TableName' | 'Limit'>): Promise<Item[]> => (await collect(input, Number.POSITIVE_INFINITY, (item) => item)).map((found) => found.value);

  /**
   * Commits `writes` atomically, turning failed conditions into domain errors. Under an
   * idempotency key, the request's first transaction that has an answer also commits the key
   * with it, sealed: the answer the use case declared (`answerOnCommit`), else the one `written`
   * (the codes and attempts it stores) implies. That answer is what the request gives if it dies
   * before answering. A transaction with neither leaves the key running.
   */
  async function transact(writes: readonly TableWrite[], written?: Written): Promise<void> {
    const unit = currentUnitOfWork();
    const claim = unit?.pending();
    const answer = unit?.answerFor(written);
    const carries = claim !== undefined && answer !== undefined;
    const all = carries ? [...writes, keyCommitWrite(tableName, claim, answer)] : writes;
    try {
      await retry(retryPolicies.transactionConflict, () => transactOnce(all));
      if (carries) unit?.markCommitted();
    } catch (error) {
      // Contention that outlasted the policy: the caller's own conflict handling takes over.
      if (error instanceof TransactionContentionError) throw new ConflictError();
      throw error;
    }
  }

  /**
   * One try of the writes. A single Put, Update or Delete goes as that request: a transaction of
   * one item costs twice its write units (DynamoDB's transactional writes are two-phase) and
   * nothing more atomic. Both ways, a failed condition becomes the same domain error.
   */
  async function transactOnce(writes: readonly TableWrite[]): Promise<void> {
    const [only] = writes;
    if (writes.length === 1 && only !== undefined && only.write.ConditionCheck === undefined) return writeOnce(only);
    try {
      await client.send(new TransactWriteItemsCommand({ TransactItems: writes.map((w) => w.write) }));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const refused = conditionError((role) => writes.some((w, i) => w.role === role && reasons[i]?.Code === 'ConditionalCheckFailed'));
      if (refused !== undefined) throw refused;
      // A concurrent transaction on the same items: nothing was written, so running it again
      // either succeeds or reports which condition now fails.
      if (reasons.some((r) => r.Code === 'TransactionConflict')) throw new TransactionContentionError();
      throw error;
    }
  }

  async function writeOnce({ role, write }: TableWrite): Promise<void> {
    try {
      if (write.Put !== undefined) await client.send(new PutItemCommand(write.Put));
      else if (write.Update !== undefined) await client.send(new UpdateItemCommand(write.Update));
      else if (write.Delete !== undefined) await client.send(new DeleteItemCommand(write.Delete));
      else throw new Error('A table write names no Put, Update or Delete');
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw conditionError((failed) => failed === role) ?? error;
      // The item is in a transaction under way: nothing was written, so running it again is safe.
      if (error instanceof TransactionConflictException) throw new TransactionContentionError();
      throw error;
    }
  }

  const put = (item: Item, condition?: Condition): TransactWriteItem => ({ Put: { TableName: tableName, Item: item, ...condition } });
  const del = (key: TableKey, condition?: Condition): TransactWriteItem => ({ Delete: { TableName: tableName, Key: toItem(key), ...condition } });

  return { client, tableName, getItem, putItem, collect, queryAll, transact, put, del };
}
export type TableOperations = ReturnType<typeof tableOperations>;
