import { ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import type { ClientSessionRepository, CredentialRepository } from '../ports';
import { type ClientSessionRecord, clientSessionRecordSchema, personalAccessTokenRecordSchema, publishableKeyRecordSchema } from '../principals/schemas';
import { idSchema } from '../schema-helpers';
import { fromItem, parseDoc, toItem } from './dynamodb-doc';
import { type TableKey, clientSessionKeys, personalAccessTokenKeys, publishableKeyKeys } from './dynamodb-keys';
import { type TableOperations, type TableWrite, versionIs } from './dynamodb-support';

const claimSchema = z.object({ client_session_id: idSchema });

/**
 * Client sessions, publishable keys and personal access tokens on the one table
 * (docs/data-model.md). A session and its user_identifier_key claim are written in one
 * transaction, conditional on the session's version (the shared transact: a failed condition
 * is ConflictError, and an Idempotency-Key commits with it).
 */
export function createDynamoDbAccessStores({ client, tableName, getItem, queryAll, transact, put, del }: TableOperations): {
  clientSessions: ClientSessionRepository;
  credentials: CredentialRepository;
} {
  const item = (write: TableWrite['write']): TableWrite => ({ role: 'item', write });

  const sessionItem = (r: ClientSessionRecord) =>
    toItem({ ...clientSessionKeys.key(r.workspace_id, r.client_session_id), ...clientSessionKeys.index(r), expires_at: clientSessionKeys.expiresAt(r), doc: r });
  const claimItem = (claim: TableKey, r: ClientSessionRecord) => toItem({ ...claim, client_session_id: r.client_session_id, expires_at: clientSessionKeys.expiresAt(r) });
  /** The claim writes that take a session from `previous`'s claim to `next`'s. */
  const claimWrites = (next: ClientSessionRecord | undefined, previous: ClientSessionRecord | undefined): TableWrite[] => {
    const before = previous && clientSessionKeys.claimOf(previous);
    const after = next && clientSessionKeys.claimOf(next);
    if (before?.sk === after?.sk) return after && next ? [item(put(claimItem(after, next)))] : [];
    return [
      ...(before && previous
        ? [item(del(before, { ConditionExpression: 'attribute_not_exists(pk) OR client_session_id = :id', ExpressionAttributeValues: toItem({ ':id': previous.client_session_id }) }))]
        : []),
      ...(after && next ? [item(put(claimItem(after, next), { ConditionExpression: 'attribute_not_exists(pk)' }))] : []),
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
      await transact([item(put(sessionItem(record), { ConditionExpression: 'attribute_not_exists(pk)' })), ...claimWrites(record, undefined)]);
    },
    async update(next, previous) {
      await transact([item(put(sessionItem(next), versionIs(previous.version))), ...claimWrites(next, previous)]);
    },
    async remove(previous) {
      await transact([item(del(clientSessionKeys.key(previous.workspace_id, previous.client_session_id), versionIs(previous.version))), ...claimWrites(undefined, previous)]);
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
