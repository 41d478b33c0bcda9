import { randomUUID } from 'node:crypto';
import { createDynamoDbStores } from '../../lib/adapters/dynamodb-stores';
import { dueShardOf } from '../../lib/adapters/dynamodb-table';
import type { Stores } from '../../lib/ports';
import { type TestTable, startTestTable } from '../support/dynamodb-local';
import { deviceFixture } from '../support/fixtures';

let table: TestTable;
let stores: Stores;

beforeAll(async () => {
  table = await startTestTable();
  stores = createDynamoDbStores({ client: table.client, tableName: table.tableName });
});

afterAll(async () => {
  await table?.stop();
});

describe('the sweep of locks on DynamoDB Local', () => {
  it('a new lock is due at once, keeps its place when stored again, is taken by one of two sweepers, and leaves with its device', async () => {
    const device = deviceFixture(randomUUID());
    const { workspace_id, device_id } = device.device;
    const shard = dueShardOf(device_id);
    const now = '2026-11-23T12:00:00.000Z';
    await stores.devices.put(device);
    const [due] = (await stores.devices.listSweepDue(shard, now, 1000)).filter((d) => d.device_id === device_id);
    if (!due) throw new Error('not due');
    expect(due).toMatchObject({ workspace_id, device_id });

    const moves = await Promise.all([stores.devices.moveSweep(due, '2026-11-23T12:30:00.000Z'), stores.devices.moveSweep(due, '2026-11-23T12:31:00.000Z')]);
    expect(moves.filter(Boolean)).toHaveLength(1);
    await stores.devices.put(device);
    expect((await stores.devices.listSweepDue(shard, now, 1000)).some((d) => d.device_id === device_id)).toBe(false);
    expect((await stores.devices.listSweepDue(shard, '2026-11-23T12:31:00.000Z', 1000)).some((d) => d.device_id === device_id)).toBe(true);

    await stores.devices.remove(workspace_id, device_id);
    expect((await stores.devices.listSweepDue(shard, '2026-11-24T00:00:00.000Z', 1000)).some((d) => d.device_id === device_id)).toBe(false);
  });
});
