import { checkLockAction, requestLockAction } from '../../lib/locks/lock-actions';
import { getLock } from '../../lib/locks/lock-queries';
import { zwaveHarnessForFile } from '../support/zwave-harness';

/*
 * Remote lock and unlock of Z-Wave locks, end to end: Latchkey writes the request into the
 * lock's shadow on a local IoT Core, the real edge agent (its own process, zwave-js's driver)
 * moves the mock lock's bolt through Door Lock CC and reports it, and the attempt ends on that
 * report. Lock 2 has Door Lock CC; lock 3 is a keypad without it.
 */

const t = zwaveHarnessForFile([
  { nodeId: 2, slots: 4, name: 'Unit 4B Front' },
  { nodeId: 3, slots: 2, name: 'Unit 4B Storage', doorLock: false },
]);

const attemptOf = async (id: string) => (await t.deps.actionAttempts.get(t.ws.workspaceId, id))?.action_attempt;

test('a lock with Door Lock CC unlocks and locks through the agent, with lock.unlocked and lock.locked (method remote)', async () => {
  const device = await t.lockDevice(2);
  expect(device.device).toMatchObject({ capabilities_supported: ['access_code', 'lock'], can_remotely_lock: true, can_remotely_unlock: true, properties: { locked: true } });
  expect(await t.hub.locked(2)).toBe(true);

  for (const action of ['unlock', 'lock'] as const) {
    const attempt = await requestLockAction(t.deps, t.ws.principal, device.device.device_id, action);
    expect(attempt.status).toBe('pending');
    const ended = await t.until(
      `the ${action} to end`,
      async () => {
        await checkLockAction(t.deps, t.ws.workspaceId, attempt.action_attempt_id);
        return attemptOf(attempt.action_attempt_id);
      },
      (a) => a?.status !== 'pending',
    );
    expect(ended).toMatchObject({ status: 'success', action_type: action === 'unlock' ? 'UNLOCK_DOOR' : 'LOCK_DOOR' });
    expect(await t.hub.locked(2)).toBe(action === 'lock');
    expect((await getLock(t.deps, t.ws.principal, device.device.device_id)).properties.locked).toBe(action === 'lock');
    expect(await t.deps.events.list(t.ws.workspaceId, { limit: 10, device_id: device.device.device_id, event_type: action === 'unlock' ? 'lock.unlocked' : 'lock.locked' })).toEqual([
      expect.objectContaining({ method: 'remote', action_attempt_id: attempt.action_attempt_id }),
    ]);
  }
});

test('a lock without Door Lock CC is a keypad only: not a lock, and nothing to unlock', async () => {
  const device = await t.lockDevice(3);
  expect(device.device).toMatchObject({ capabilities_supported: ['access_code'], can_remotely_unlock: false });
});
