import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { createAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { loadConfig } from '../../lib/config';
import type { AppDeps } from '../../lib/deps';
import { buildDeps } from '../../lib/wiring/whole-app';
import { listEventsInputSchema } from '../../lib/events/schemas';
import { type TestTable, startTestTable } from '../support/dynamodb-local';
import { sandboxWorkspace } from '../support/memory-app';

/*
 * Entries that arrive together, on DynamoDB Local, through four application instances with
 * their own stores (as four Lambda instances would take them): each entry counts once, a
 * repeated report counts not at all, and the counting never passes the code's limit.
 */

let table: TestTable;
let instances: AppDeps[] = [];
let ws: Awaited<ReturnType<typeof sandboxWorkspace>>;

beforeAll(async () => {
  table = await startTestTable();
  const app = () => buildDeps(loadConfig({ LATCHKEY_STORE: 'dynamodb', LATCHKEY_DYNAMODB_ENDPOINT: table.endpoint, LATCHKEY_TABLE_NAME: table.tableName, LOG_LEVEL: 'SILENT' }));
  instances = [app(), app(), app(), app()];
  ws = await sandboxWorkspace(instances[0] as AppDeps);
});

afterAll(async () => {
  await table?.stop();
});

describe('concurrent entries of one code (DynamoDB Local)', () => {
  it('16 entries of a max_uses 8 code, each reported twice at once: 16 unlocks, the count stops at 8, first_used and use_limit_reached once each', async () => {
    const deps = instances[0] as AppDeps;
    const deviceId = ws.byType('kwikset_lock').device_id;
    const device = await deps.devices.get(ws.workspaceId, deviceId);
    if (!device) throw new Error('no device');
    const { access_code } = await createAccessCode(deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: deviceId, code: '48291', max_uses: 8 }));
    const at = new Date().toISOString();
    const reports = Array.from({ length: 16 }, (_, i) => ({ entry_id: `entry-${i}`, occurred_at: at, outcome: 'unlocked' as const, access_code_id: access_code.access_code_id }));
    const calls = [...reports, ...reports].map((report, i) => (instances[i % instances.length] as AppDeps).engine.recordEntry(device, report));
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.recorded)).toHaveLength(16);
    // The limit-reaching entry started the removal at once: the code (never on the lock yet) is gone, its last state kept.
    expect(await deps.accessCodes.get(ws.workspaceId, access_code.access_code_id)).toBeUndefined();
    const gone = await deps.codeHistory.getGone(ws.workspaceId, access_code.access_code_id);
    expect(gone?.access_code).toMatchObject({ use_count: 8, max_uses: 8, status: 'removing', first_used_at: at, last_used_at: at });
    const events = await deps.events.list(ws.workspaceId, listEventsInputSchema.parse({ access_code_id: access_code.access_code_id, limit: 1000 }));
    const count = (type: string) => events.filter((e) => e.event_type === type).length;
    expect([count('lock.unlocked'), count('access_code.first_used'), count('access_code.use_limit_reached')]).toEqual([16, 1, 1]);
    const limit = events.find((e) => e.event_type === 'access_code.use_limit_reached');
    expect(limit).toMatchObject({ use_count: 8, max_uses: 8 });
  });
});
