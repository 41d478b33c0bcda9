/*
 * A process that takes an Idempotency-Key, runs one create under it on the table named by its
 * arguments, and is SIGKILLed right after the create's transaction committed, before it answers:
 * what a Lambda instance killed between its write and its response leaves behind. It prints the
 * answer it would have given (one JSON line) first.
 * Arguments: endpoint, table name, workspace id, key, route (/access_codes/create,
 * /client_sessions/create or /webhooks/create), the request's JSON body.
 */
import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { loadConfig } from '../../lib/config';
import { buildDeps } from '../../lib/wiring/whole-app';
import { underIdempotencyKey } from '../../lib/http/idempotency-key';
import { createClientSession } from '../../lib/principals/client-sessions';
import { workspacePrincipal } from '../../lib/principals/principal';
import { createWebhook } from '../../lib/webhooks/webhooks';

const [endpoint, tableName, workspaceId, key, path, json] = process.argv.slice(2);
if (!endpoint || !tableName || !workspaceId || !key || !path || !json) throw new Error('usage: crash-after-commit endpoint table workspace key route body');
const deps = buildDeps(loadConfig({ LATCHKEY_STORE: 'dynamodb', LATCHKEY_DYNAMODB_ENDPOINT: endpoint, LATCHKEY_TABLE_NAME: tableName, LOG_LEVEL: 'SILENT' }));
const input = JSON.parse(json);
const owner = workspacePrincipal(workspaceId);
const creates: Record<string, () => Promise<object>> = {
  '/access_codes/create': () => createAccessCode(deps, owner, input),
  '/client_sessions/create': async () => ({ client_session: await createClientSession(deps, owner, input) }),
  '/webhooks/create': async () => ({ webhook: await createWebhook(deps, owner, input) }),
};
const create = creates[path];
if (!create) throw new Error(`no create for ${path}`);
void underIdempotencyKey(deps, { workspaceId, key, path, input }, async () => {
  const answer = await create();
  process.stdout.write(`${JSON.stringify(answer)}\n`, () => process.kill(process.pid, 'SIGKILL'));
  return new Promise<never>(() => {});
});
