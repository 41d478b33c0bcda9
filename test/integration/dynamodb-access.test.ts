import { tableOperations } from '../../lib/adapters/dynamodb-support';
import { randomUUID } from 'node:crypto';
import { createDynamoDbAccessStores } from '../../lib/adapters/dynamodb-access';
import { ConflictError } from '../../lib/errors';
import { createMemoryAccessStores } from '../../lib/adapters/memory-access';
import { type ClientSessionRecord, clientSessionRecordSchema } from '../../lib/principals/schemas';
import { hashSecret } from '../../lib/principals/tokens';
import { type TestTable, countRequests, startTestTable } from '../support/dynamodb-local';
import { fixtureTime } from '../support/fixtures';

let table: TestTable;
let requests: ReturnType<typeof countRequests>;
beforeAll(async () => {
  table = await startTestTable();
  requests = countRequests(table.client);
});
afterAll(async () => table?.stop());

const session = (workspaceId: string, overrides: Partial<ClientSessionRecord> = {}): ClientSessionRecord =>
  clientSessionRecordSchema.parse({
    client_session_id: randomUUID(),
    workspace_id: workspaceId,
    user_identifier_key: 'guest-7',
    device_ids: [randomUUID()],
    connected_account_ids: [],
    connect_webview_ids: [],
    created_at: fixtureTime,
    expires_at: '2026-11-24T12:00:00.000Z',
    token_hashes: [hashSecret('seam_cst1secret')],
    version: 0,
    ...overrides,
  });

/** The same contract on DynamoDB Local and on the in-memory store that unit tests use. */
describe.each([
  ['DynamoDB', () => createDynamoDbAccessStores(tableOperations(table.client, table.tableName))],
  ['memory', () => createMemoryAccessStores()],
])('client sessions and credentials on %s', (_, build) => {
  it('claims a user_identifier_key for one live session of the workspace', async () => {
    const { clientSessions } = build();
    const ws = randomUUID();
    const first = session(ws);
    await clientSessions.create(first);
    await expect(clientSessions.create(session(ws))).rejects.toBeInstanceOf(ConflictError);
    await expect(clientSessions.create(session(randomUUID()))).resolves.toBeUndefined();
    expect(await clientSessions.findByUserIdentifierKey(ws, 'guest-7')).toEqual(first);
    expect(await clientSessions.get(randomUUID(), first.client_session_id)).toBeUndefined();
  });

  it('updates on the version it read, frees the key when revoked, and removes', async () => {
    const { clientSessions } = build();
    const ws = randomUUID();
    const first = session(ws);
    await clientSessions.create(first);
    const granted = { ...first, device_ids: [...first.device_ids, randomUUID()], version: 1 };
    await clientSessions.update(granted, first);
    await expect(clientSessions.update({ ...first, version: 1 }, first)).rejects.toBeInstanceOf(ConflictError);
    const revoked = { ...granted, revoked_at: fixtureTime, version: 2 };
    await clientSessions.update(revoked, granted);
    expect(await clientSessions.findByUserIdentifierKey(ws, 'guest-7')).toBeUndefined();
    const second = session(ws);
    await clientSessions.create(second);
    expect((await clientSessions.list(ws)).map((s) => s.client_session_id).sort()).toEqual([first.client_session_id, second.client_session_id].sort());
    await clientSessions.remove(revoked);
    expect(await clientSessions.get(ws, first.client_session_id)).toBeUndefined();
    expect(await clientSessions.findByUserIdentifierKey(ws, 'guest-7')).toEqual(second);
  });

  it('finds keys and tokens by hash only, and revokes tokens by id', async () => {
    const { credentials } = build();
    const ws = randomUUID();
    await credentials.putPublishableKey({ publishable_key_id: randomUUID(), workspace_id: ws, key_hash: hashSecret('pk'), key_prefix: 'seam_pk1abc…', created_at: fixtureTime });
    expect((await credentials.findPublishableKeyByHash(hashSecret('pk')))?.workspace_id).toBe(ws);
    const token = { personal_access_token_id: randomUUID(), name: 'ops', workspace_ids: [ws], key_hash: hashSecret(randomUUID()), key_prefix: 'seam_at1abc…', created_at: fixtureTime };
    await credentials.putPersonalAccessToken(token);
    expect(await credentials.findPersonalAccessTokenByHash(token.key_hash)).toEqual(token);
    expect(await credentials.listPersonalAccessTokens()).toContainEqual(token);
    expect(await credentials.revokePersonalAccessToken(token.personal_access_token_id)).toBe(true);
    expect(await credentials.findPersonalAccessTokenByHash(token.key_hash)).toBeUndefined();
    expect(await credentials.revokePersonalAccessToken(token.personal_access_token_id)).toBe(false);
  });
});

it('authenticates a client session token with one read', async () => {
  const { clientSessions } = createDynamoDbAccessStores(tableOperations(table.client, table.tableName));
  const first = session(randomUUID(), { user_identifier_key: null });
  await clientSessions.create(first);
  requests.reset();
  await clientSessions.get(first.workspace_id, first.client_session_id);
  expect(requests.count).toBe(1);
});
