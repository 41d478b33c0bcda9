import { randomUUID } from 'node:crypto';
import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { simulateExternalChange } from '../../lib/access-codes/simulate-external-change';
import { getAccessCode } from '../../lib/access-codes/get-access-code';
import { defaultLifecycleSettings } from '../../lib/deps';
import { lifecycleEngine } from '../../lib/engine/engine';
import { pollDueCodes } from '../../lib/engine/poll-due-codes';
import { createAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { convertToManaged } from '../../lib/access-codes/convert-to-managed';
import { deleteUnmanagedCode } from '../../lib/access-codes/delete-unmanaged-code';
import { listUnmanagedCodes } from '../../lib/access-codes/list-unmanaged-codes';
import { simulateUnmanagedCode } from '../../lib/access-codes/simulate-unmanaged-code';
import { listUnmanagedInputSchema } from '../../lib/access-codes/unmanaged-schemas';
import { discoverCodes } from '../../lib/engine/discover';
import { dynamoDbKeypadStore } from '../../lib/adapters/dynamodb-keypads';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { providerRegistry } from '../../lib/devices/providers';
import { buildSandboxDevices } from '../../lib/providers/sandbox';
import { sandboxProvider } from '../../lib/providers/sandbox';
import type { Deps } from '../../lib/ports';
import { workspacePrincipal } from '../../lib/principals/principal';
import { type TestTable, startTestTable } from '../support/dynamodb-local';
import { ManualClock } from '../support/memory-app';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());

/** The engine and the sandbox locks on DynamoDB Local: keypads, codes, unmanaged codes and their claims in one table. */
async function setup() {
  const clock = new ManualClock();
  const keypads = dynamoDbKeypadStore(table.client, table.tableName);
  const stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
  const deps: Deps = {
    ...stores,
    secrets: { put: async () => {}, get: async () => undefined, remove: async () => {} },
    accountSources: { for: () => undefined },
    clock,
    ids: { uuid: () => randomUUID() },
    publisher: { publish: async () => {} },
    providers: providerRegistry([sandboxProvider({ keypads, clock, latencyMs: 1000, random: () => 1 })]),
    settings: defaultLifecycleSettings,
    engine: lifecycleEngine(() => deps),
  };
  const workspaceId = randomUUID();
  const devices = buildSandboxDevices(workspaceId, randomUUID, clock.now(), 0);
  for (const device of devices) await deps.devices.put(device);
  const gate = devices.find((d) => d.device.device_type === 'smartthings_lock');
  if (!gate) throw new Error('no gate');
  const tick = async (times = 1) => {
    for (let i = 0; i < times; i++) {
      clock.advance(1000);
      await pollDueCodes(deps);
    }
  };
  /** The event types the workspace's writes stored (the outbox publishes them from there). */
  const events = async () => (await deps.events.list(workspaceId, { since: '2000-01-01T00:00:00.000Z', limit: 1000 })).map((e) => e.event_type);
  return { deps, clock, events, principal: workspacePrincipal(workspaceId), gate: gate.device, tick };
}

describe('unmanaged codes and external modification on DynamoDB Local', () => {
  it('discovers, lists, converts and deletes codes set outside Latchkey', async () => {
    const t = await setup();
    const list = async () => (await listUnmanagedCodes(t.deps, t.principal, listUnmanagedInputSchema.parse({ device_id: t.gate.device_id }))).access_codes;
    const first = await simulateUnmanagedCode(t.deps, t.principal, { device_id: t.gate.device_id, name: 'Neighbour', code: '8642' });
    const second = await simulateUnmanagedCode(t.deps, t.principal, { device_id: t.gate.device_id, name: 'Old tenant', code: '9753' });
    expect((await list()).map((c) => c.access_code_id).sort()).toEqual([first.access_code_id, second.access_code_id].sort());
    await expect(createAccessCode(t.deps, t.principal, createAccessCodeInputSchema.parse({ device_id: t.gate.device_id, code: '8642' }))).rejects.toMatchObject({ type: 'duplicate_access_code' });
    expect(await t.deps.accessCodes.listPins(t.principal.workspace_id, t.gate.device_id)).toEqual(expect.arrayContaining(['8642', '9753']));

    await convertToManaged(t.deps, t.principal, { access_code_id: first.access_code_id });
    await t.tick(2);
    expect(await getAccessCode(t.deps, t.principal, { access_code_id: first.access_code_id })).toMatchObject({ is_managed: true, status: 'set', code: '8642' });
    expect(await t.deps.accessCodes.listByPin(t.principal.workspace_id, t.gate.device_id, '8642')).toMatchObject([{ access_code: { access_code_id: first.access_code_id } }]);

    expect(await deleteUnmanagedCode(t.deps, t.principal, { access_code_id: second.access_code_id })).toMatchObject({ status: 'success' });
    await t.tick(3);
    expect(await list()).toEqual([]);
    expect(await t.deps.accessCodes.listPins(t.principal.workspace_id, t.gate.device_id)).toEqual(['8642']);
    expect(await t.events()).toEqual(expect.arrayContaining(['access_code.unmanaged.created', 'access_code.unmanaged.converted_to_managed', 'access_code.unmanaged.removed']));
  });

  it('records one removal when a sweep sees an unmanaged code go while a delete request takes it off', async () => {
    const t = await setup();
    const tenant = await simulateUnmanagedCode(t.deps, t.principal, { device_id: t.gate.device_id, name: 'Old tenant', code: '9753' });
    const device = await t.deps.devices.get(t.principal.workspace_id, t.gate.device_id);
    if (!device) throw new Error('no gate');
    const sandbox = t.deps.providers.for(device);
    // The lock drops the code, then a sweep reads the lock before the request writes its removal.
    const racing: Deps = {
      ...t.deps,
      providers: {
        ...t.deps.providers,
        for: () => ({
          ...sandbox,
          remove: async (...args: Parameters<typeof sandbox.remove>) => {
            await sandbox.remove(...args);
            await discoverCodes(t.deps, device);
          },
        }),
      },
    };
    expect(await deleteUnmanagedCode(racing, t.principal, { access_code_id: tenant.access_code_id })).toMatchObject({ status: 'success' });
    expect((await t.events()).filter((e) => e === 'access_code.unmanaged.removed')).toHaveLength(1);
    expect(await t.deps.unmanagedCodes.get(t.principal.workspace_id, tenant.access_code_id)).toBeUndefined();
    expect(await t.deps.accessCodes.listPins(t.principal.workspace_id, t.gate.device_id)).toEqual([]);
  });

  it('does not bring back an unmanaged code that a delete removed while a read of the lock was rewriting it', async () => {
    const t = await setup();
    const tenant = await simulateUnmanagedCode(t.deps, t.principal, { device_id: t.gate.device_id, name: 'Old tenant', code: '9753' });
    const seen = await t.deps.unmanagedCodes.get(t.principal.workspace_id, tenant.access_code_id);
    if (!seen) throw new Error('not stored');
    expect(await deleteUnmanagedCode(t.deps, t.principal, { access_code_id: tenant.access_code_id })).toMatchObject({ status: 'success' });
    // The read saw the code (renamed at the lock) before the delete, and writes what it saw after it.
    await t.deps.unmanagedCodes.replace({ ...seen, access_code: { ...seen.access_code, name: 'Renamed at the lock' } });
    expect(await t.deps.unmanagedCodes.get(t.principal.workspace_id, tenant.access_code_id)).toBeUndefined();
    expect(await t.deps.accessCodes.listPins(t.principal.workspace_id, t.gate.device_id)).toEqual([]);
  });

  it('puts back a PIN changed on the lock outside Latchkey', async () => {
    const t = await setup();
    const { access_code } = await createAccessCode(t.deps, t.principal, createAccessCodeInputSchema.parse({ device_id: t.gate.device_id, code: '5729' }));
    await t.tick(3);
    await simulateExternalChange(t.deps, t.principal, { access_code_id: access_code.access_code_id, change_type: 'modified', code: '1357' });
    await t.tick(4);
    expect(await getAccessCode(t.deps, t.principal, { access_code_id: access_code.access_code_id })).toMatchObject({ code: '5729', status: 'set', errors: [] });
    expect(await t.events()).toContain('access_code.modified_external_to_seam');
  });
});
