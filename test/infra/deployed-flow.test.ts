import * as fs from 'node:fs';
import * as path from 'node:path';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { systemClock, uuidGenerator } from '../../lib/deps';
import { createWorkspace } from '../../lib/workspaces/workspaces';
import { projectRoot } from '../../infra/functions';
import { pollUntil, settle } from '../e2e/poll';
import { type SeamClient, seamHttpV2 } from '../e2e/seam-clients';
import { startTestTable, type TestTable } from '../support/dynamodb-local';
import { type CloudAssembly, synthesizeWithBundles } from '../support/deployed/cloud-assembly';
import { busName, type DeployedStage, startDeployedStage } from '../support/deployed/deployed-stage';
import { allows, eventSourceResources, grantsOf } from '../support/deployed/role-grants';

/*
 * What ships is what is tested: the bundles `cdk synth` writes, each in a process of its own
 * with the environment its template gives it, wired as the template wires them (API routes,
 * bus rules, queues, the table's stream). DynamoDB is DynamoDB Local; SQS, EventBridge and
 * Secrets Manager are answered by the test's twin (test/support/deployed/aws-twin.ts), which
 * records every call so that each can be checked against the caller's role.
 */

const outdir = path.join(projectRoot, 'node_modules', '.cache', 'latchkey-deployed', 'cdk.out');
let assembly: CloudAssembly;
let table: TestTable;
let stage: DeployedStage;
let seam: SeamClient;

beforeAll(async () => {
  assembly = synthesizeWithBundles(outdir, { sandboxLatencyMs: 200 });
  table = await startTestTable();
  stage = await startDeployedStage(assembly, table);
  // The operator's step (the CLI, against the table): a sandbox workspace and its API key.
  const operator = { ...createDynamoDbStores({ client: table.client, tableName: table.tableName }), clock: systemClock, ids: uuidGenerator };
  const created = await createWorkspace(operator, { name: 'Deployed', sandbox: true, sandboxFailureRate: 0 });
  seam = new (seamHttpV2().SeamHttp)({ apiKey: created.api_key, endpoint: stage.apiUrl });
}, 900_000);

afterAll(async () => {
  await stage?.stop();
  await table?.stop();
});

test('the official SDK creates, sets, gets and deletes a code through the deployed bundles, follow-ups alone carrying it (no poll)', async () => {
  const devices = await seam.devices.list();
  const frontDoor = devices.find((d) => d.display_name === 'Front Door');
  if (frontDoor === undefined) throw new Error('No Front Door lock');
  const created = await seam.accessCodes.create({ device_id: frontDoor.device_id, name: 'Deployed guest', code: '4826' });
  expect(created).toMatchObject({ device_id: frontDoor.device_id, code: '4826', status: 'setting' });
  const set = await pollUntil(
    'the code set',
    async () => await seam.accessCodes.get({ access_code_id: created.access_code_id }),
    (c) => c.status === 'set',
    { timeoutMs: 60_000 },
  );
  expect(set).toMatchObject({ access_code_id: created.access_code_id, code: '4826', status: 'set' });
  await seam.accessCodes.delete({ access_code_id: created.access_code_id });
  await pollUntil(
    'the code gone',
    () => settle(seam.accessCodes.get({ access_code_id: created.access_code_id })),
    (answer) => 'error' in answer,
    { timeoutMs: 60_000 },
  );
  expect(stage.failures).toEqual([]);
  const nameOf = new Map([...stage.functions.values()].map((f) => [f.id, f.name]));
  const ran = new Set(stage.twin.calls.map((call) => nameOf.get(call.caller)));
  expect([...ran]).toEqual(expect.arrayContaining(['access-codes-create', 'publish-events', 'process-access-code', 'run-follow-ups', 'fan-out-webhooks', 'access-codes-delete']));
}, 120_000);

test("every target of the poll schedule runs its bundle with the target's input", async () => {
  await stage.tick('PollSchedule');
  expect(stage.failures).toEqual([]);
}, 60_000);

test('every AWS call a deployed function made is one its role grants, on that resource', () => {
  const denied = stage.twin.calls.flatMap((call) => {
    const fn = [...stage.functions.values()].find((f) => f.id === call.caller);
    if (fn === undefined) return [`unknown caller ${call.caller}`];
    return allows(grantsOf(assembly, fn.roleId, { tableName: table.tableName, busName }), call) ? [] : [`${fn.name}: ${call.action} on ${call.resource}`];
  });
  expect(stage.twin.calls.length).toBeGreaterThan(0);
  expect([...new Set(denied)]).toEqual([]);
});

/** The IAM actions an SDK command of the bundle stands for: a transaction is checked per item. */
const actionsOfCommand: Record<string, string[]> = {
  TransactWriteItems: ['PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
  TransactGetItems: ['GetItem'],
};

test("no function's role grants an AWS action that no SDK command in its bundle can make", () => {
  const excess = [...stage.functions.values()].flatMap((fn) => {
    const bundle = fs.readFileSync(path.join(assembly.assetOf(fn.id), 'index.mjs'), 'utf8');
    const names = { tableName: table.tableName, busName };
    const serviceReaches = new Set(eventSourceResources(assembly, fn.id, names));
    const commands = new Set([...bundle.matchAll(/\b([A-Z][A-Za-z]+)Command\b/g)].flatMap((m) => actionsOfCommand[m[1] ?? ''] ?? [m[1] ?? '']));
    return (
      grantsOf(assembly, fn.roleId, names)
        // What Lambda's event source mapping does with the role (receive, delete, read the stream, send failed batches away).
        .filter((grant) => !grant.resources.every((resource) => serviceReaches.has(resource)))
        .flatMap((grant) => grant.actions)
        .filter((action) => !(action === 'dynamodb:ListStreams' && serviceReaches.size > 0))
        // Logs and X-Ray are written by the Lambda runtime and the tracer, not by an SDK command.
        .filter((action) => !action.startsWith('logs:') && !action.startsWith('xray:'))
        .filter((action) => !commands.has(action.split(':')[1] ?? ''))
        .map((action) => `${fn.name}: ${action}`)
    );
  });
  expect(stage.functions.size).toBeGreaterThan(0);
  expect([...new Set(excess)]).toEqual([]);
});
