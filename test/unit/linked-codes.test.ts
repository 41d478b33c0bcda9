import { adaptName } from '../../lib/access-codes/appearance';
import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { getAccessCode } from '../../lib/access-codes/get-access-code';
import { createMultipleAccessCodes, createMultipleInputSchema, updateMultipleAccessCodes, updateMultipleInputSchema } from '../../lib/access-codes/linked-codes';
import { createAccessCodeInputSchema, updateAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { updateAccessCode } from '../../lib/access-codes/update-access-code';
import { pinViolation } from '../../lib/devices/code-constraints';
import { codesApp, failure } from '../support/codes-app';
import { sandboxWorkspace } from '../support/memory-app';

const create = (input: Record<string, unknown>) => createAccessCodeInputSchema.parse(input);
const update = (input: Record<string, unknown>) => updateAccessCodeInputSchema.parse(input);
const createMultiple = (input: Record<string, unknown>) => createMultipleInputSchema.parse(input);
const updateMultiple = (input: Record<string, unknown>) => updateMultipleInputSchema.parse(input);
const DAY = 86_400_000;

async function setup() {
  const app = await codesApp();
  const other = await sandboxWorkspace(app.deps, 'Other');
  return { ...app, other };
}

describe('createMultipleAccessCodes', () => {
  it('gives every lock one PIN that fits all their rules, linked by a new common_code_key', async () => {
    const { deps, ws, published } = await setup();
    const locks = ['nuki_lock', 'tedee_lock', 'kwikset_lock'].map((t) => ws.byType(t));
    for (let i = 0; i < 10; i++) {
      const codes = await createMultipleAccessCodes(deps, ws.principal, createMultiple({ device_ids: locks.map((l) => l.device_id), name: `Stay ${i}` }));
      expect(codes.map((c) => c.device_id)).toEqual(locks.map((l) => l.device_id));
      const [pin] = new Set(codes.map((c) => c.code));
      expect(new Set(codes.map((c) => c.code)).size).toBe(1);
      expect(new Set(codes.map((c) => c.common_code_key)).size).toBe(1);
      expect(codes[0]?.common_code_key).toMatch(/^auto_set_by_create_multiple_/);
      for (const lock of locks) expect(pinViolation(lock, pin ?? '')).toBeUndefined();
    }
    expect(published.filter((e) => e.event_type === 'access_code.created')).toHaveLength(30);
  });

  it('uses a chosen PIN on every lock without linking the codes', async () => {
    const { deps, ws } = await setup();
    const ids = [ws.byType('kwikset_lock').device_id, ws.byType('smartthings_lock').device_id];
    const codes = await createMultipleAccessCodes(deps, ws.principal, createMultiple({ device_ids: ids, code: '4829' }));
    expect(codes.map((c) => [c.code, c.common_code_key])).toEqual([
      ['4829', null],
      ['4829', null],
    ]);
  });

  it('refuses locks that cannot share a PIN, or gives them their own with create_random_code', async () => {
    const { deps, ws } = await setup();
    const [front, garage, gate] = [ws.byType('schlage_lock'), ws.byType('nuki_lock'), ws.byType('smartthings_lock')];
    const device_ids = [front.device_id, garage.device_id, gate.device_id];
    expect(await failure(createMultipleAccessCodes(deps, ws.principal, createMultiple({ device_ids })))).toEqual({ type: 'invalid_input', fields: ['behavior_when_code_cannot_be_shared'] });
    expect(await deps.accessCodes.list(ws.workspaceId, { limit: 10 })).toMatchObject({ items: [] });

    const codes = await createMultipleAccessCodes(deps, ws.principal, createMultiple({ device_ids, behavior_when_code_cannot_be_shared: 'create_random_code' }));
    const [onFront, onGarage, onGate] = codes;
    expect(onFront?.code).toBe(onGate?.code);
    expect(onFront?.common_code_key).toEqual(onGate?.common_code_key);
    expect(onFront?.common_code_key).not.toBeNull();
    expect(onGarage?.common_code_key).toBeNull();
    expect(pinViolation(garage, onGarage?.code ?? '')).toBeUndefined();
  });

  it('writes all codes or none, and only on devices the caller may touch', async () => {
    const { deps, ws, other } = await setup();
    const back = ws.byType('kwikset_lock').device_id;
    await createAccessCode(deps, ws.principal, create({ device_id: back, code: '4829' }));
    const device_ids = [ws.byType('smartthings_lock').device_id, back];
    expect(await failure(createMultipleAccessCodes(deps, ws.principal, createMultiple({ device_ids, code: '4829' })))).toMatchObject({ type: 'duplicate_access_code' });
    expect((await deps.accessCodes.list(ws.workspaceId, { deviceId: device_ids[0], limit: 10 })).items).toEqual([]);
    expect(await failure(createMultipleAccessCodes(deps, other.principal, createMultiple({ device_ids })))).toMatchObject({ type: 'device_not_found' });
    expect(createMultipleInputSchema.safeParse({ device_ids: [back, back] }).success).toBe(false);
    expect(createMultipleInputSchema.safeParse({ device_ids: [] }).success).toBe(false);
  });
});

describe('updateMultipleAccessCodes', () => {
  it('changes the name and time frame of every code under a key', async () => {
    const { deps, ws, clock, published } = await setup();
    const t = clock.now().getTime();
    const ids = [ws.byType('kwikset_lock').device_id, ws.byType('smartthings_lock').device_id];
    const codes = await createMultipleAccessCodes(
      deps,
      ws.principal,
      createMultiple({ device_ids: ids, name: 'Stay', starts_at: new Date(t + DAY).toISOString(), ends_at: new Date(t + 2 * DAY).toISOString() }),
    );
    const key = codes[0]?.common_code_key ?? '';
    const ends_at = new Date(t + 3 * DAY).toISOString();
    await updateMultipleAccessCodes(deps, ws.principal, updateMultiple({ common_code_key: key, name: 'Longer stay', ends_at }));
    for (const code of codes) {
      expect(await getAccessCode(deps, ws.principal, { access_code_id: code.access_code_id })).toMatchObject({ name: 'Longer stay', ends_at, code: code.code });
    }
    expect(published.filter((e) => e.event_type === 'access_code.time_frame_changed')).toHaveLength(2);
    expect(await failure(updateMultipleAccessCodes(deps, ws.principal, updateMultiple({ common_code_key: 'no-such-key', name: 'x' })))).toMatchObject({ type: 'access_code_not_found' });
  });
});

describe('names and appearance', () => {
  it('keeps the name the client sent and shows on the lock a name that fits its rules', async () => {
    const { deps, ws } = await setup();
    const back = ws.byType('kwikset_lock');
    const long = await createAccessCode(deps, ws.principal, create({ device_id: back.device_id, name: 'The Very Long Guest Name' }));
    expect(long.access_code).toMatchObject({ name: 'The Very Long Guest Name', appearance: { name: 'The Very Long' } });
    const again = await createAccessCode(deps, ws.principal, create({ device_id: back.device_id, name: 'The Very Long Guest Name' }));
    expect(again.access_code.appearance).toEqual({ name: 'The Very L (2)' });
    const short = await createAccessCode(deps, ws.principal, create({ device_id: back.device_id, name: 'A' }));
    expect(short.access_code.appearance).toEqual({ name: 'A-' });

    await updateAccessCode(deps, ws.principal, update({ access_code_id: short.access_code.access_code_id, name: 'Cleaner' }));
    expect(await getAccessCode(deps, ws.principal, { access_code_id: short.access_code.access_code_id })).toMatchObject({ name: 'Cleaner', appearance: { name: 'Cleaner' } });
    const plain = await createAccessCode(deps, ws.principal, create({ device_id: ws.byType('schlage_lock').device_id, name: 'The Very Long Guest Name' }));
    expect(plain.access_code.appearance).toEqual({ name: 'The Very Long Guest Name' });
  });

  it('numbers names apart, case-insensitively, within the length limit', async () => {
    const { ws } = await setup();
    const back = ws.byType('kwikset_lock');
    expect(adaptName(back, 'guest', ['Guest', 'GUEST (2)'])).toBe('guest (3)');
    expect(adaptName(back, 'Housekeeping team', ['Housekeeping t', 'Housekeepi (2)'])).toBe('Housekeepi (3)');
    expect(adaptName(ws.byType('schlage_lock'), 'guest', ['guest'])).toBe('guest');
  });
});

describe('preferred_code_length on update', () => {
  it('gives the code a fresh PIN of that length, and leaves a PIN of that length alone', async () => {
    const { deps, ws } = await setup();
    const back = ws.byType('kwikset_lock');
    const { access_code } = await createAccessCode(deps, ws.principal, create({ device_id: back.device_id, code: '4829' }));
    await updateAccessCode(deps, ws.principal, update({ access_code_id: access_code.access_code_id, preferred_code_length: 7 }));
    const updated = await getAccessCode(deps, ws.principal, { access_code_id: access_code.access_code_id });
    expect(updated.code).toHaveLength(7);
    await updateAccessCode(deps, ws.principal, update({ access_code_id: access_code.access_code_id, preferred_code_length: 7 }));
    expect((await getAccessCode(deps, ws.principal, { access_code_id: access_code.access_code_id })).code).toBe(updated.code);
  });

  it('refuses to change a PIN that other codes share through a common_code_key', async () => {
    const { deps, ws } = await setup();
    const codes = await createMultipleAccessCodes(deps, ws.principal, createMultiple({ device_ids: [ws.byType('kwikset_lock').device_id, ws.byType('smartthings_lock').device_id] }));
    const id = codes[0]?.access_code_id ?? '';
    expect(await failure(updateAccessCode(deps, ws.principal, update({ access_code_id: id, code: '9753' })))).toEqual({ type: 'invalid_input', fields: ['code'] });
    expect(await failure(updateAccessCode(deps, ws.principal, update({ access_code_id: id, preferred_code_length: 8 })))).toEqual({ type: 'invalid_input', fields: ['preferred_code_length'] });
  });
});
