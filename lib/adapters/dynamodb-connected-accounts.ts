import { ConditionalCheckFailedException, DeleteItemCommand, type DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { connectedAccountRecordSchema } from '../connected-accounts/schemas';
import type { ConnectedAccountRepository, SecretStore } from '../ports';
import { type Item, parseDoc, toItem } from './dynamodb-doc';
import { connectedAccountKeys, secretKeys } from './dynamodb-keys';

interface TableOptions {
  client: DynamoDBClient;
  tableName: string;
}

/** Connected accounts on the table: one item per account, listed per workspace through gsi1. */
export function dynamoDbConnectedAccounts({ client, tableName }: TableOptions): ConnectedAccountRepository {
  const getById = async (connectedAccountId: string) => {
    const { Item: item } = await client.send(new GetItemCommand({ TableName: tableName, Key: toItem(connectedAccountKeys.key(connectedAccountId)), ConsistentRead: true }));
    return item && parseDoc(connectedAccountRecordSchema, item);
  };
  return {
    getById,
    async get(workspaceId, connectedAccountId) {
      const record = await getById(connectedAccountId);
      return record?.workspace_id === workspaceId ? record : undefined;
    },
    async list(workspaceId) {
      const items: Item[] = [];
      let startKey: Item | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': { S: connectedAccountKeys.listPartition(workspaceId) } },
            ExclusiveStartKey: startKey,
          }),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      return items.map((item) => parseDoc(connectedAccountRecordSchema, item));
    },
    async put(record) {
      const item = toItem({ ...connectedAccountKeys.key(record.connected_account.connected_account_id), ...connectedAccountKeys.index(record), doc: record });
      await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
    },
    async remove(workspaceId, connectedAccountId) {
      // Conditional on the workspace: another workspace's account is left alone, as if absent.
      await client
        .send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: toItem(connectedAccountKeys.key(connectedAccountId)),
            ConditionExpression: 'attribute_not_exists(pk) OR #doc.#ws = :ws',
            ExpressionAttributeNames: { '#doc': 'doc', '#ws': 'workspace_id' },
            ExpressionAttributeValues: { ':ws': { S: workspaceId } },
          }),
        )
        .catch((error: unknown) => {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        });
    },
  };
}

const secretItemSchema = z.object({ value: z.object({ S: z.string() }) });

/**
 * Provider credentials in the table, for local mode, where a restart must keep them and
 * the CLI and `npm start` share them. In AWS, Secrets Manager holds them instead.
 */
export function dynamoDbSecretStore({ client, tableName }: TableOptions): SecretStore {
  return {
    async put(name, value) {
      await client.send(new PutItemCommand({ TableName: tableName, Item: { ...toItem(secretKeys.key(name)), value: { S: value } } }));
    },
    async get(name) {
      const { Item: item } = await client.send(new GetItemCommand({ TableName: tableName, Key: toItem(secretKeys.key(name)), ConsistentRead: true }));
      return item && secretItemSchema.parse(item).value.S;
    },
    async remove(name) {
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: toItem(secretKeys.key(name)) }));
    },
  };
}
