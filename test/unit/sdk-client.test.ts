import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { localDynamoDbClient } from '../../lib/adapters/dynamodb-table-setup';
import { withoutSdkLogging } from '../../lib/adapters/sdk-client';

/** A client whose requests never leave the process (answered in the build step), logging to `logged`. */
function answeringClient(logged: unknown[]): DynamoDBClient {
  const client = new DynamoDBClient({
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    logger: { trace: () => {}, debug: () => {}, info: (entry: unknown) => logged.push(entry), warn: () => {}, error: () => {} },
  });
  client.middlewareStack.add(() => async () => ({ output: { $metadata: {} }, response: {} }), { step: 'build', name: 'answerInProcess' });
  return client;
}

describe('SDK clients without the SDK logger', () => {
  const get = new GetItemCommand({ TableName: 'latchkey', Key: { pk: { S: 'WS#1' }, sk: { S: 'CODE#1' } } });

  it("hands no request or answer to the SDK's logger", async () => {
    const logged: unknown[] = [];
    await withoutSdkLogging(answeringClient(logged)).send(get);
    expect(logged).toEqual([]);
  });

  it('the SDK logs each call otherwise (what the removal takes away)', async () => {
    const logged: unknown[] = [];
    await answeringClient(logged).send(get);
    expect(logged).toEqual([expect.objectContaining({ commandName: 'GetItemCommand', input: expect.objectContaining({ TableName: 'latchkey' }) })]);
  });

  it("DynamoDB Local's client is made without it", () => {
    const client = localDynamoDbClient('http://127.0.0.1:1');
    expect(client.middlewareStack.identify().some((name) => name.startsWith('loggerMiddleware'))).toBe(false);
    client.destroy();
  });
});
