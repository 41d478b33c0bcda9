import { randomUUID } from 'node:crypto';
import { succeeded } from '../../lib/action-attempts/action-attempts';
import { ConflictError } from '../../lib/errors';
import type { SeamEvent } from '../../lib/events/schemas';
import { storesOnTestTable } from '../support/dynamodb-local';
import { actionAttemptFixture, deviceFixture, fixtureTime } from '../support/fixtures';

const local = storesOnTestTable();

const setup = async () => {
  const ws = randomUUID();
  const device = deviceFixture(ws);
  await local.stores.devices.put(device);
  const attempt = actionAttemptFixture(ws, { device_id: device.device.device_id });
  attempt.action_attempt.action_type = 'UNLOCK_DOOR';
  const unlocked = { ...device, device: { ...device.device, properties: { ...device.device.properties, locked: false } } };
  const event = (): SeamEvent => ({
    event_id: randomUUID(),
    workspace_id: ws,
    created_at: fixtureTime,
    occurred_at: fixtureTime,
    event_type: 'lock.unlocked',
    device_id: device.device.device_id,
    connected_account_id: device.device.connected_account_id,
    method: 'remote',
    action_attempt_id: attempt.action_attempt.action_attempt_id,
  });
  return { ws, device, attempt, unlocked, event };
};

describe('remote lock actions on DynamoDB Local', () => {
  it('ends an attempt once: of concurrent reports one writes the attempt, the device and its event, the others conflict', async () => {
    const { ws, device, attempt, unlocked, event } = await setup();
    await local.stores.lockActions.start(attempt);
    await expect(local.stores.lockActions.start(attempt)).rejects.toThrow(ConflictError);
    const done = succeeded(attempt, { was_confirmed_by_device: true });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => local.stores.lockActions.finish(done, [event()], unlocked)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof ConflictError)).toBe(true);
    expect((await local.stores.actionAttempts.get(ws, attempt.action_attempt.action_attempt_id))?.action_attempt.status).toBe('success');
    expect((await local.stores.devices.get(ws, device.device.device_id))?.device.properties.locked).toBe(false);
    const events = await local.stores.events.list(ws, { limit: 10 });
    expect(events).toEqual([expect.objectContaining({ event_type: 'lock.unlocked', method: 'remote', action_attempt_id: attempt.action_attempt.action_attempt_id })]);
    expect(await local.stores.events.list(ws, { limit: 10, device_id: device.device.device_id, event_type: 'lock.unlocked' })).toHaveLength(1);
  });

  it('writes no device back once it is removed (the end conflicts; ending without it works)', async () => {
    const { ws, device, attempt, unlocked, event } = await setup();
    await local.stores.lockActions.start(attempt);
    await local.stores.devices.remove(ws, device.device.device_id);
    const done = succeeded(attempt, {});
    await expect(local.stores.lockActions.finish(done, [event()], unlocked)).rejects.toThrow(ConflictError);
    expect(await local.stores.devices.get(ws, device.device.device_id)).toBeUndefined();
    await local.stores.lockActions.finish(done, []);
    expect((await local.stores.actionAttempts.get(ws, attempt.action_attempt.action_attempt_id))?.action_attempt.status).toBe('success');
  });
});
