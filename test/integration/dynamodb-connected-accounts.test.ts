import { tableOperations } from '../../lib/adapters/dynamodb-support';
import { randomUUID } from 'node:crypto';
import { dynamoDbConnectedAccounts, dynamoDbSecretStore } from '../../lib/adapters/dynamodb-connected-accounts';
import type { ConnectedAccountRecord } from '../../lib/connected-accounts/schemas';
import { sandboxAccount } from '../../lib/providers/sandbox';
import type { ConnectedAccountRepository, SecretStore } from '../../lib/ports';
import { type TestTable, startTestTable } from '../support/dynamodb-local';

let table: TestTable;
let accounts: ConnectedAccountRepository;
let secrets: SecretStore;

beforeAll(async () => {
  table = await startTestTable();
  accounts = dynamoDbConnectedAccounts(tableOperations(table.client, table.tableName));
  secrets = dynamoDbSecretStore(tableOperations(table.client, table.tableName));
});
afterAll(async () => table?.stop());

const account = (workspaceId: string, minute: number): ConnectedAccountRecord => ({
  ...sandboxAccount(workspaceId, randomUUID(), new Date(Date.UTC(2026, 10, 30, 12, minute))),
  provider: 'seam',
  provider_settings: { endpoint: 'https://seam.example', webhooks: false },
  secret_name: `connected-accounts/${randomUUID()}`,
});

describe('connected accounts on DynamoDB', () => {
  it('stores accounts, finds them by id alone or within their workspace only, and lists them by creation', async () => {
    const ws = randomUUID();
    const [second, first] = [account(ws, 2), account(ws, 1)];
    await accounts.put(second);
    await accounts.put(first);
    await accounts.put(account(randomUUID(), 0));
    const id = first.connected_account.connected_account_id;

    expect(await accounts.getById(id)).toEqual(first);
    expect(await accounts.get(ws, id)).toEqual(first);
    expect(await accounts.get(randomUUID(), id)).toBeUndefined();
    expect(await accounts.list(ws)).toEqual([first, second]);
  });

  it('removes an account only from its own workspace', async () => {
    const ws = randomUUID();
    const record = account(ws, 3);
    await accounts.put(record);
    const id = record.connected_account.connected_account_id;
    await accounts.remove(randomUUID(), id);
    expect(await accounts.get(ws, id)).toEqual(record);
    await accounts.remove(ws, id);
    expect(await accounts.getById(id)).toBeUndefined();
    expect(await accounts.list(ws)).toEqual([]);
  });

  it('keeps credentials by name, replaces and removes them', async () => {
    const name = `connected-accounts/${randomUUID()}`;
    expect(await secrets.get(name)).toBeUndefined();
    await secrets.put(name, '{"api_key":"seam_one"}');
    await secrets.put(name, '{"api_key":"seam_two"}');
    expect(await secrets.get(name)).toBe('{"api_key":"seam_two"}');
    await secrets.remove(name);
    expect(await secrets.get(name)).toBeUndefined();
  });
});
