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

  it('creates a publishable key, and creates, lists and revokes personal access tokens', async () => {
    const a = String((await latchkey('workspaces', 'create', '--name', 'A')).out.workspace_id);
    const b = String((await latchkey('workspaces', 'create', '--name', 'B')).out.workspace_id);
    expect((await latchkey('keys', 'create-publishable', '--workspace', a)).out).toMatchObject({ publishable_key: expect.stringMatching(/^seam_pk1/) });

    const token = await latchkey('tokens', 'create', '--name', 'ops', '--workspace', a, '--workspace', b);
    expect(token.out).toEqual({
      personal_access_token: expect.stringMatching(/^seam_at1/),
      personal_access_token_id: expect.any(String),
      revoke: `npm run latchkey -- tokens revoke --token-id ${String(token.out.personal_access_token_id)}`,
    });
    const listed = await latchkey('tokens', 'list');
    expect(listed.out.personal_access_tokens).toContainEqual(expect.objectContaining({ name: 'ops', workspace_ids: [a, b] }));
    expect(JSON.stringify(listed.out)).not.toContain(String(token.out.personal_access_token));
    expect((await latchkey('tokens', 'revoke', '--token-id', String(token.out.personal_access_token_id))).out).toEqual({ revoked: true });
    expect(await latchkey('tokens', 'create', '--name', 'x')).toMatchObject({ code: 1, err: expect.stringContaining('at least one workspace') });
  });

  it('says what is wrong, with a non-zero exit, for a missing option or an unknown workspace', async () => {
    expect(await latchkey('workspaces', 'create')).toMatchObject({ code: 1, err: expect.stringContaining('--name is required') });
    expect(await latchkey('keys', 'create', '--workspace', '00000000-0000-4000-8000-000000000000')).toMatchObject({ code: 1, err: expect.stringContaining('No workspace') });
    expect(await latchkey('frobnicate')).toMatchObject({ code: 1, err: expect.stringContaining('Unknown command') });
  });
});
