import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type TestTable, startTestTable } from '../support/dynamodb-local';

const run = promisify(execFile);
let table: TestTable;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.stop());

/** The operator CLI as an operator runs it, against DynamoDB Local through LATCHKEY_DYNAMODB_ENDPOINT. */
async function latchkey(...args: string[]) {
  const env = { ...process.env, LATCHKEY_DYNAMODB_ENDPOINT: table.endpoint, LATCHKEY_TABLE_NAME: table.tableName };
  try {
    const { stdout } = await run('node', ['--conditions=import', '--import', 'tsx', 'lib/cli/main.ts', ...args], { env });
    return { code: 0, out: JSON.parse(stdout) as Record<string, unknown>, err: '' };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, out: {}, err: failed.stderr };
  }
}

describe('the operator CLI', () => {
  it('creates a sandbox workspace with a key, lists it, and creates, lists and revokes keys', async () => {
    const created = await latchkey('workspaces', 'create', '--name', 'Acme Rentals', '--sandbox');
    expect(created.out).toEqual({ workspace_id: expect.stringMatching(/^[0-9a-f-]{36}$/), api_key: expect.stringMatching(/^seam_/) });
    const workspaceId = String(created.out.workspace_id);

    const listed = await latchkey('workspaces', 'list');
    expect(listed.out.workspaces).toEqual([expect.objectContaining({ workspace_id: workspaceId, name: 'Acme Rentals', is_sandbox: true })]);

    const key = await latchkey('keys', 'create', '--workspace', workspaceId);
    const keys = await latchkey('keys', 'list', '--workspace', workspaceId);
    expect(keys.out.api_keys).toHaveLength(2);
    expect(JSON.stringify(keys.out)).not.toContain(String(key.out.api_key));
    expect(JSON.stringify(keys.out)).not.toContain('key_hash');

    expect((await latchkey('keys', 'revoke', '--workspace', workspaceId, '--key-id', String(key.out.api_key_id))).out).toEqual({ revoked: true });
    expect((await latchkey('keys', 'list', '--workspace', workspaceId)).out.api_keys).toHaveLength(1);
  });

  it('says what is wrong, with a non-zero exit, for a missing option or an unknown workspace', async () => {
    expect(await latchkey('workspaces', 'create')).toMatchObject({ code: 1, err: expect.stringContaining('--name is required') });
    expect(await latchkey('keys', 'create', '--workspace', '00000000-0000-4000-8000-000000000000')).toMatchObject({ code: 1, err: expect.stringContaining('No workspace') });
    expect(await latchkey('frobnicate')).toMatchObject({ code: 1, err: expect.stringContaining('Unknown command') });
  });
});
