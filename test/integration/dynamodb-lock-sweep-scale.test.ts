import { randomUUID } from 'node:crypto';
import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { createAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { dynamoDbKeypadStore } from '../../lib/adapters/dynamodb-keypads';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { defaultLifecycleSettings } from '../../lib/deps';
import type { LockProvider } from '../../lib/devices/lock-provider';
import { providerRegistry } from '../../lib/devices/providers';
import type { DeviceRecord } from '../../lib/devices/schemas';
import { lifecycleEngine } from '../../lib/engine/engine';
import { pollDueCodes } from '../../lib/engine/poll-due-codes';
import type { Deps } from '../../lib/ports';
import { workspacePrincipal } from '../../lib/principals/principal';
import { buildSandboxDevices, sandboxProvider } from '../../lib/providers/sandbox';
import { type TestTable, startTestTable } from '../support/dynamodb-local';
import { ManualClock } from '../support/memory-app';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());

const minute = 60_000;
const LOCKS = 300;

describe('the sweep of many idle locks on DynamoDB Local', () => {
  it('spreads 300 locks that join at once over the interval, reads each once, and finds a silent change at one of them within the interval', async () => {
    const clock = new ManualClock();
    const sandbox = sandboxProvider({ keypads: dynamoDbKeypadStore(table.client, table.tableName), clock, latencyMs: 1000, random: () => 1 });
    // The sandbox provider, counting each whole read of a lock's keypad.
    const reads = new Map<string, number>();
    const provider: LockProvider = {
      ...sandbox,
      traits: (d) => sandbox.traits(d),
      program: (d, e, h) => sandbox.program(d, e, h),
      remove: (d, h) => sandbox.remove(d, h),
      read: (d, h) => sandbox.read(d, h),
      listEntries: async (d) => {
        reads.set(d.device.device_id, (reads.get(d.device.device_id) ?? 0) + 1);
        return sandbox.listEntries?.(d) ?? [];
      },
    };
    const stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
    const deps: Deps = {
      ...stores,
      secrets: { put: async () => {}, get: async () => undefined, remove: async () => {} },
      accountSources: { for: () => undefined },
      clock,
      ids: { uuid: () => randomUUID() },
      publisher: { publish: async () => {} },
      providers: providerRegistry([provider]),
      settings: { ...defaultLifecycleSettings, lockSweepMs: minute },
      engine: lifecycleEngine(() => deps),
    };
    const workspaceId = randomUUID();
    const template = buildSandboxDevices(workspaceId, randomUUID, clock.now(), 0).find((d) => d.device.device_type === 'kwikset_lock') as DeviceRecord;
    const locks = Array.from({ length: LOCKS }, () => ({ ...template, device: { ...template.device, device_id: randomUUID() } }));
    for (let i = 0; i < locks.length; i += 25) await Promise.all(locks.slice(i, i + 25).map((d) => deps.devices.put(d)));
    const watched = locks[0] as DeviceRecord;
    const principal = workspacePrincipal(workspaceId);
    const { access_code } = await createAccessCode(deps, principal, createAccessCodeInputSchema.parse({ device_id: watched.device.device_id, code: '5729' }));
    const tick = async (ms: number) => {
      clock.advance(ms);
      const result = await pollDueCodes(deps);
      expect(result.failed).toBe(0);
      return result;
    };

    // The locks join: the first tick gives each its place in the interval and reads none of the idle ones.
    expect((await tick(1000)).swept).toBe(0);
    expect(locks.filter((d) => d !== watched && reads.has(d.device.device_id))).toEqual([]);
    for (let i = 0; i < 2; i++) await tick(1000);
    expect((await deps.accessCodes.get(workspaceId, access_code.access_code_id))?.access_code.status).toBe('set');

    // Changed at the lock, silently: nothing makes the code due.
    await sandbox.simulator?.changeExternally(watched, { access_code_id: access_code.access_code_id, code: '5729' }, { change_type: 'modified', code: '1357' });
    reads.clear();
    const perTick: number[] = [];
    for (let i = 0; i < 12; i++) perTick.push((await tick(5000)).swept);

    // One interval: every idle lock read once (the watched one again by the engine putting its PIN back), no tick over twice its twelfth, and the change found.
    expect(locks.filter((d) => d !== watched && reads.get(d.device.device_id) !== 1).map((d) => d.device.device_id)).toEqual([]);
    expect(Math.max(...perTick)).toBeLessThanOrEqual((2 * LOCKS) / 12);
    // The sweep that finds the change makes the code due; the engine's step records the change and puts
    // the PIN back in the next tick (a lock whose turn is the interval's last tick is found just then).
    expect(reads.get(watched.device.device_id)).toBeGreaterThanOrEqual(1);
    await tick(1000);
    const found = await deps.events.list(workspaceId, { limit: 10, access_code_id: access_code.access_code_id, event_type: 'access_code.modified_external_to_seam' });
    expect(found).toHaveLength(1);
  }, 120_000);
});
