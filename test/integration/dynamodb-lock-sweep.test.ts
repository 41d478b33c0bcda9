import { randomUUID } from 'node:crypto';
import { dueShardOf } from '../../lib/adapters/dynamodb-table';
import { storesOnTestTable } from '../support/dynamodb-local';
import { deviceFixture } from '../support/fixtures';

const local = storesOnTestTable();

describe('the sweep of locks on DynamoDB Local', () => {
  it('a new lock is due at once, keeps its place when stored again, is taken by one of two sweepers, and leaves with its device', async () => {
    const device = deviceFixture(randomUUID());
    const { workspace_id, device_id } = device.device;
    const shard = dueShardOf(device_id);
    const now = '2026-11-23T12:00:00.000Z';
    await local.stores.devices.put(device);
    const [due] = (await local.stores.devices.listSweepDue(shard, now, 1000)).filter((d) => d.device_id === device_id);
    if (!due) throw new Error('not due');
    expect(due).toMatchObject({ workspace_id, device_id });

    const moves = await Promise.all([local.stores.devices.moveSweep(due, '2026-11-23T12:30:00.000Z'), local.stores.devices.moveSweep(due, '2026-11-23T12:31:00.000Z')]);
    expect(moves.filter(Boolean)).toHaveLength(1);
    await local.stores.devices.put(device);
    expect((await local.stores.devices.listSweepDue(shard, now, 1000)).some((d) => d.device_id === device_id)).toBe(false);
    expect((await local.stores.devices.listSweepDue(shard, '2026-11-23T12:31:00.000Z', 1000)).some((d) => d.device_id === device_id)).toBe(true);

    await local.stores.devices.remove(workspace_id, device_id);
    expect((await local.stores.devices.listSweepDue(shard, '2026-11-24T00:00:00.000Z', 1000)).some((d) => d.device_id === device_id)).toBe(false);
  });
});
