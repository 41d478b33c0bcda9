import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { connectedAccountRecordSchema } from '../connected-accounts/schemas';
import { ConflictError } from '../errors';
import type { ConnectedAccountRepository, SecretStore } from '../ports';
import { parseDoc, toItem } from './dynamodb-doc';
import { connectedAccountKeys, secretKeys } from './dynamodb-keys';
import type { TableOperations } from './dynamodb-support';

/** Connected accounts on the table: one item per account, listed per workspace through gsi1. */
export function dynamoDbConnectedAccounts({ getItem, queryAll, transact, put, del }: TableOperations): ConnectedAccountRepository {
  const getById = async (connectedAccountId: string) => {
    const item = await getItem(connectedAccountKeys.key(connectedAccountId));
    return item && parseDoc(connectedAccountRecordSchema, item);
  };
  return {
    getById,
    async get(workspaceId, connectedAccountId) {
      const record = await getById(connectedAccountId);
      return record?.workspace_id === workspaceId ? record : undefined;
    },
    async list(workspaceId) {
      const items = await queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: connectedAccountKeys.listPartition(workspaceId) } },
      });
      return items.map((item) => parseDoc(connectedAccountRecordSchema, item));
    },
    // Writes of an account are transactions, so an Idempotency-Key commits with them.
    async put(record) {
      const item = toItem({ ...connectedAccountKeys.key(record.connected_account.connected_account_id), ...connectedAccountKeys.index(record), doc: record });
      await transact([{ role: 'item', write: put(item) }]);
    },
    async remove(workspaceId, connectedAccountId) {
      // Conditional on the workspace: another workspace's account is left alone, as if absent.
      const inWorkspace = {
        ConditionExpression: 'attribute_not_exists(pk) OR #doc.#ws = :ws',
        ExpressionAttributeNames: { '#doc': 'doc', '#ws': 'workspace_id' },
        ExpressionAttributeValues: { ':ws': { S: workspaceId } },
      };
      await transact([{ role: 'item', write: del(connectedAccountKeys.key(connectedAccountId), inWorkspace) }]).catch((error: unknown) => {
        if (!(error instanceof ConflictError)) throw error;
      });
    },
  };
}

const secretItemSchema = z.object({ value: z.object({ S: z.string() }) });

/**
 * Provider credentials in the table, for local mode, where a restart must keep them and
 * the CLI and `npm start` share them. In AWS, Secrets Manager holds them instead.
 */
export function dynamoDbSecretStore({ client, tableName, getItem, putItem }: TableOperations): SecretStore {
  return {
    async put(name, value) {
      await putItem({ ...toItem(secretKeys.key(name)), value: { S: value } });
    },
    async get(name) {
      const item = await getItem(secretKeys.key(name));
      return item && secretItemSchema.parse(item).value.S;
    },
    async remove(name) {
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: toItem(secretKeys.key(name)) }));
    },
  };
}
