import { ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand, type TransactWriteItem, TransactWriteItemsCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { ConflictError } from '../errors';
import type { ClientSessionRepository, CredentialRepository } from '../ports';
import { type ClientSessionRecord, clientSessionRecordSchema, personalAccessTokenRecordSchema, publishableKeyRecordSchema } from '../principals/schemas';
import { idSchema } from '../schema-helpers';
import { fromItem, parseDoc, toItem } from './dynamodb-doc';
import { type TableKey, clientSessionKeys, personalAccessTokenKeys, publishableKeyKeys } from './dynamodb-keys';
import { type TableOperations, versionIs } from './dynamodb-support';

const claimSchema = z.object({ client_session_id: idSchema });

/**
 * Client sessions, publishable keys and personal access tokens on the one table
 * (docs/data-model.md). A session and its user_identifier_key claim are written in one
 * transaction, conditional on the session's version.
 */
export function createDynamoDbAccessStores({ client, tableName, getItem, queryAll }: TableOperations): {
  clientSessions: ClientSessionRepository;
  credentials: CredentialRepository;
} {
  const transact = async (writes: TransactWriteItem[]) => {
    try {
      await client.send(new TransactWriteItemsCommand({ TransactItems: writes }));
    } catch (error) {
      // A failed condition or a concurrent transaction: either way the caller reads again.
      if (error instanceof TransactionCanceledException) throw new ConflictError();
      throw error;
    }
  };

  const sessionItem = (r: ClientSessionRecord) =>
    toItem({ ...clientSessionKeys.key(r.workspace_id, r.client_session_id), ...clientSessionKeys.index(r), expires_at: clientSessionKeys.expiresAt(r), doc: r });
  const claimItem = (claim: TableKey, r: ClientSessionRecord) => toItem({ ...claim, client_session_id: r.client_session_id, expires_at: clientSessionKeys.expiresAt(r) });
  /** The claim writes that take a session from `previous`'s claim to `next`'s. */
  const claimWrites = (next: ClientSessionRecord | undefined, previous: ClientSessionRecord | undefined): TransactWriteItem[] => {
    const before = previous && clientSessionKeys.claimOf(previous);
    const after = next && clientSessionKeys.claimOf(next);
    if (before?.sk === after?.sk) return after && next ? [{ Put: { TableName: tableName, Item: claimItem(after, next) } }] : [];
    return [
      ...(before && previous
        ? [
            {
              Delete: {
                TableName: tableName,
                Key: toItem(before),
                ConditionExpression: 'attribute_not_exists(pk) OR client_session_id = :id',
                ExpressionAttributeValues: toItem({ ':id': previous.client_session_id }),
              },
            },
          ]
        : []),
      ...(after && next ? [{ Put: { TableName: tableName, Item: claimItem(after, next), ConditionExpression: 'attribute_not_exists(pk)' } }] : []),
    ];
  };

  const clientSessions: ClientSessionRepository = {
    async get(workspaceId, clientSessionId) {
      const item = await getItem(clientSessionKeys.key(workspaceId, clientSessionId));
      return item && parseDoc(clientSessionRecordSchema, item);
    },
    async findByUserIdentifierKey(workspaceId, userIdentifierKey) {
      const claim = await getItem(clientSessionKeys.claim(workspaceId, userIdentifierKey));
      if (!claim) return undefined;
      return clientSessions.get(workspaceId, claimSchema.parse(fromItem(claim)).client_session_id);
    },
    async list(workspaceId) {
      const items = await queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: toItem({ ':pk': clientSessionKeys.listPartition(workspaceId) }),
      });
      return items.map((item) => parseDoc(clientSessionRecordSchema, item));
    },
    async create(record) {
      await transact([{ Put: { TableName: tableName, Item: sessionItem(record), ConditionExpression: 'attribute_not_exists(pk)' } }, ...claimWrites(record, undefined)]);
    },
    async update(next, previous) {
      await transact([{ Put: { TableName: tableName, Item: sessionItem(next), ...versionIs(previous.version) } }, ...claimWrites(next, previous)]);
    },
    async remove(previous) {
      await transact([
        { Delete: { TableName: tableName, Key: toItem(clientSessionKeys.key(previous.workspace_id, previous.client_session_id)), ...versionIs(previous.version) } },
        ...claimWrites(undefined, previous),
      ]);
    },
  };

  const credentials: CredentialRepository = {
    async putPublishableKey(record) {
      await client.send(new PutItemCommand({ TableName: tableName, Item: toItem({ ...publishableKeyKeys.key(record.key_hash), doc: record }) }));
    },
    async findPublishableKeyByHash(keyHash) {
      const item = await getItem(publishableKeyKeys.key(keyHash));
      return item && parseDoc(publishableKeyRecordSchema, item);
    },
    async putPersonalAccessToken(record) {
      await client.send(new PutItemCommand({ TableName: tableName, Item: toItem({ ...personalAccessTokenKeys.key(record.key_hash), ...personalAccessTokenKeys.index(record), doc: record }) }));
    },
    async findPersonalAccessTokenByHash(keyHash) {
      const item = await getItem(personalAccessTokenKeys.key(keyHash));
      return item && parseDoc(personalAccessTokenRecordSchema, item);
    },
    async listPersonalAccessTokens() {
      const items = await queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: toItem({ ':pk': personalAccessTokenKeys.listPartition }),
      });
      return items.map((item) => parseDoc(personalAccessTokenRecordSchema, item));
    },
    async revokePersonalAccessToken(personalAccessTokenId) {
      const found = (await credentials.listPersonalAccessTokens()).find((t) => t.personal_access_token_id === personalAccessTokenId);
      if (!found) return false;
      try {
        await client.send(new DeleteItemCommand({ TableName: tableName, Key: toItem(personalAccessTokenKeys.key(found.key_hash)), ConditionExpression: 'attribute_exists(pk)' }));
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
  };

  return { clientSessions, credentials };
}
