import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { simulateExternalChange } from '../../lib/access-codes/simulate-external-change';
import { getAccessCode } from '../../lib/access-codes/get-access-code';
import { createAccessCodeInputSchema, updateAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { convertToManaged } from '../../lib/access-codes/convert-to-managed';
import { deleteUnmanagedCode } from '../../lib/access-codes/delete-unmanaged-code';
import { discoverCodes } from '../../lib/engine/discover';
import { getUnmanagedCode } from '../../lib/access-codes/get-unmanaged-code';
import { listUnmanagedCodes } from '../../lib/access-codes/list-unmanaged-codes';
import { simulateUnmanagedCode } from '../../lib/access-codes/simulate-unmanaged-code';
import { listUnmanagedInputSchema, simulateExternalChangeInputSchema } from '../../lib/access-codes/unmanaged-schemas';
import { updateAccessCode } from '../../lib/access-codes/update-access-code';
import { generateCode } from '../../lib/access-codes/generate-code';
import { codesApp, failureType as failure } from '../support/codes-app';
import { sandboxWorkspace } from '../support/memory-app';

async function setup() {
  const app = await codesApp({ latencyMs: 1000 });
  const { ws } = app;
  const other = await sandboxWorkspace(app.deps, 'Other');
  const gate = ws.byType('smartthings_lock');
  const record = (id: string) => ws.devices.find((d) => d.device.device_id === id);
  const types = () => app.published.map((e) => e.event_type);
  const list = (device_id = gate.device_id) => listUnmanagedCodes(app.deps, ws.principal, listUnmanagedInputSchema.parse({ device_id }));
  return { ...app, other, gate, record, types, list };
}

describe('unmanaged codes', () => {
  it('are discovered from a read of the whole keypad, listed and got from the table, and gone when the lock drops them', async () => {
    const t = await setup();
    const found = await simulateUnmanagedCode(t.deps, t.ws.principal, { device_id: t.gate.device_id, name: 'Neighbour', code: '8642' });
    expect(found).toMatchObject({ device_id: t.gate.device_id, name: 'Neighbour', code: '8642', is_managed: false, status: 'set', type: 'ongoing' });
    expect(t.types()).toEqual(['access_code.unmanaged.created']);
    expect((await t.list()).access_codes).toEqual([found]);
    expect(await getUnmanagedCode(t.deps, t.ws.principal, { device_id: t.gate.device_id, code: '8642' })).toEqual(found);
    expect(await failure(getUnmanagedCode(t.deps, t.other.principal, { access_code_id: found.access_code_id }))).toBe('access_code_not_found');

    // Generated PINs avoid it, and a managed code cannot take it.
    const create = createAccessCodeInputSchema.parse({ device_id: t.gate.device_id, code: '8642' });
    expect(await failure(createAccessCode(t.deps, t.ws.principal, create))).toBe('duplicate_access_code');

    const gate = t.record(t.gate.device_id);
    if (!gate) throw new Error('no gate');
    await t.deps.providers.for(gate).simulator?.changeExternally(gate, { access_code_id: found.access_code_id }, { change_type: 'removed' });
    await discoverCodes(t.deps, gate);
    expect((await t.list()).access_codes).toEqual([]);
    expect(t.types()).toEqual(['access_code.unmanaged.created', 'access_code.unmanaged.removed']);
  });

  it('can be deleted from the lock', async () => {
    const t = await setup();
    const found = await simulateUnmanagedCode(t.deps, t.ws.principal, { device_id: t.gate.device_id, name: 'Old tenant', code: '9753' });
    const attempt = await deleteUnmanagedCode(t.deps, t.ws.principal, { access_code_id: found.access_code_id });
    expect(attempt).toMatchObject({ action_type: 'DELETE_ACCESS_CODE', status: 'success' });
    expect((await t.list()).access_codes).toEqual([]);
    await t.tick(3);
    expect((await t.list()).access_codes).toEqual([]);
  });

  it('become managed codes, with the same id and PIN, once the engine reads them back', async () => {
    const t = await setup();
    const found = await simulateUnmanagedCode(t.deps, t.ws.principal, { device_id: t.gate.device_id, name: 'Cleaner', code: '2468' });
    await convertToManaged(t.deps, t.ws.principal, { access_code_id: found.access_code_id, allow_external_modification: true });
    expect((await t.list()).access_codes).toEqual([]);
    expect(await getAccessCode(t.deps, t.ws.principal, { access_code_id: found.access_code_id })).toMatchObject({ status: 'setting', is_managed: true, code: '2468' });
    await t.tick(2);
    expect(await getAccessCode(t.deps, t.ws.principal, { access_code_id: found.access_code_id })).toMatchObject({
      status: 'set',
      code: '2468',
      name: 'Cleaner',
      is_external_modification_allowed: true,
    });
    expect(t.types()).toContain('access_code.unmanaged.converted_to_managed');
    await t.tick(3);
    expect((await t.list()).access_codes).toEqual([]);
  });

  it('fail to convert when the code left the lock first', async () => {
    const t = await setup();
    const found = await simulateUnmanagedCode(t.deps, t.ws.principal, { device_id: t.gate.device_id, name: 'Cleaner', code: '2468' });
    const gate = t.record(t.gate.device_id);
    if (!gate) throw new Error('no gate');
    await t.deps.providers.for(gate).simulator?.changeExternally(gate, { access_code_id: found.access_code_id }, { change_type: 'removed' });
    await convertToManaged(t.deps, t.ws.principal, { access_code_id: found.access_code_id });
    await t.tick();
    expect(await failure(getAccessCode(t.deps, t.ws.principal, { access_code_id: found.access_code_id }))).toBe('access_code_not_found');
    expect(t.types()).toContain('access_code.unmanaged.failed_to_convert_to_managed');
  });
});

describe('external modification', () => {
  async function setCode(t: Awaited<ReturnType<typeof setup>>, allowed: boolean) {
    const { access_code } = await createAccessCode(t.deps, t.ws.principal, createAccessCodeInputSchema.parse({ device_id: t.gate.device_id, code: '5729', is_external_modification_allowed: allowed }));
    await t.tick(3);
    expect((await getAccessCode(t.deps, t.ws.principal, { access_code_id: access_code.access_code_id })).status).toBe('set');
    return access_code.access_code_id;
  }
  const change = (input: Record<string, unknown>) => simulateExternalChangeInputSchema.parse(input);

  it("puts Latchkey's PIN back when it is not allowed, reporting modified_external_to_seam", async () => {
    const t = await setup();
    const id = await setCode(t, false);
    await simulateExternalChange(t.deps, t.ws.principal, change({ access_code_id: id, change_type: 'modified', code: '1357' }));
    await t.tick();
    expect(await getAccessCode(t.deps, t.ws.principal, { access_code_id: id })).toMatchObject({
      code: '5729',
      status: 'setting',
      errors: [expect.objectContaining({ error_code: 'conflicting_external_modification', change_type: 'modified', modified_fields: [{ field: 'code', from: null, to: null }] })],
    });
    expect(t.types()).toContain('access_code.modified_external_to_seam');
    await t.tick(3);
    expect(await getAccessCode(t.deps, t.ws.principal, { access_code_id: id })).toMatchObject({ code: '5729', status: 'set', errors: [] });
    expect((await t.keypads.get(t.ws.workspaceId, t.gate.device_id, id))?.code).toBe('5729');
  });

  it('puts a removed code back when it is not allowed, reporting deleted_external_to_seam', async () => {
    const t = await setup();
    const id = await setCode(t, false);
    await simulateExternalChange(t.deps, t.ws.principal, change({ access_code_id: id, change_type: 'removed' }));
    await t.tick(4);
    expect(t.types()).toContain('access_code.deleted_external_to_seam');
    expect(await getAccessCode(t.deps, t.ws.principal, { access_code_id: id })).toMatchObject({ status: 'set', errors: [] });
    expect(await t.keypads.get(t.ws.workspaceId, t.gate.device_id, id)).toMatchObject({ code: '5729' });
  });

  it('adopts the change when it is allowed', async () => {
    const t = await setup();
    const id = await setCode(t, true);
    await simulateExternalChange(t.deps, t.ws.principal, change({ access_code_id: id, change_type: 'modified', code: '1357' }));
    await t.tick();
    expect(await getAccessCode(t.deps, t.ws.principal, { access_code_id: id })).toMatchObject({
      code: '1357',
      status: 'set',
      warnings: [expect.objectContaining({ warning_code: 'external_modification_in_effect', change_type: 'modified' })],
    });
    expect(t.types()).toContain('access_code.modified_external_to_seam');
    const removed = await setCode(t, true);
    await simulateExternalChange(t.deps, t.ws.principal, change({ access_code_id: removed, change_type: 'removed' }));
    await t.tick();
    expect(await failure(getAccessCode(t.deps, t.ws.principal, { access_code_id: removed }))).toBe('access_code_not_found');
    expect(t.types()).toContain('access_code.deleted_external_to_seam');
  });

  it("does not mistake Latchkey's own pending change for an external one", async () => {
    const t = await setup();
    const id = await setCode(t, false);
    await updateAccessCode(t.deps, t.ws.principal, updateAccessCodeInputSchema.parse({ access_code_id: id, code: '8264' }));
    await t.tick(4);
    expect(t.types()).not.toContain('access_code.modified_external_to_seam');
    expect((await getAccessCode(t.deps, t.ws.principal, { access_code_id: id })).code).toBe('8264');
    expect((await generateCode(t.deps, t.ws.principal, { device_id: t.gate.device_id })).code).not.toBe('8264');
  });
});
