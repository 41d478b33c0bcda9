/*
 * A process that takes an Idempotency-Key, creates a code under it on the table named by its
 * arguments, and is SIGKILLed right after the create's transaction committed, before it answers:
 * what a Lambda instance killed between its write and its response leaves behind.
 * Arguments: endpoint, table name, workspace id, device id, key.
 */
import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { loadConfig } from '../../lib/config';
import { buildDeps } from '../../lib/deps';
import { underIdempotencyKey } from '../../lib/http/idempotency-key';
import { workspacePrincipal } from '../../lib/principals/principal';

const [endpoint, tableName, workspaceId, deviceId, key] = process.argv.slice(2);
if (!endpoint || !tableName || !workspaceId || !deviceId || !key) throw new Error('usage: crash-after-commit endpoint table workspace device key');
const deps = buildDeps(loadConfig({ LATCHKEY_STORE: 'dynamodb', LATCHKEY_DYNAMODB_ENDPOINT: endpoint, LATCHKEY_TABLE_NAME: tableName, LOG_LEVEL: 'SILENT' }));
const input = { device_id: deviceId, name: 'Guest' };
void underIdempotencyKey(deps, { workspaceId, key, path: '/access_codes/create', input }, async () => {
  const created = await createAccessCode(deps, workspacePrincipal(workspaceId), input);
  process.stdout.write(`${created.access_code.access_code_id}\n`, () => process.kill(process.pid, 'SIGKILL'));
  return new Promise<never>(() => {});
});
