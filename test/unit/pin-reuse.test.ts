import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { generateCode } from '../../lib/access-codes/generate-code';
import { getAccessCode } from '../../lib/access-codes/get-access-code';
import { createAccessCodeInputSchema, generateCodeInputSchema, updateAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { updateAccessCode } from '../../lib/access-codes/update-access-code';
import { AppError } from '../../lib/errors';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';

const create = (input: Record<string, unknown>) => createAccessCodeInputSchema.parse(input);
const update = (input: Record<string, unknown>) => updateAccessCodeInputSchema.parse(input);

async function setup() {
  const app = memoryApp();
  const ws = await sandboxWorkspace(app.deps);
  const lock = ws.byType('kwikset_lock');
  const base = app.clock.now().getTime();
  /** Day `d` from now, at the clock's time of day. */
  const day = (d: number) => new Date(base + d * 86_400_000).toISOString();
  const stay = (from: number, to: number, extra: Record<string, unknown> = {}) => create({ device_id: lock.device_id, code: '2580', starts_at: day(from), ends_at: day(to), ...extra });
  return { ...app, ws, lock, day, stay };
}

const rejection = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return { type: error.type, status: error.statusCode };
};
const duplicate = { type: 'duplicate_access_code', status: 409 };

describe('one PIN across stays that do not overlap (memory store)', () => {
  it('gives the next guest the same PIN when the stays follow each other', async () => {
    const { deps, ws, stay } = await setup();
    const first = await createAccessCode(deps, ws.principal, stay(1, 4));
    const second = await createAccessCode(deps, ws.principal, stay(4, 7));
    const later = await createAccessCode(deps, ws.principal, stay(9, 12));
    expect([first, second, later].map((c) => c.access_code.code)).toEqual(['2580', '2580', '2580']);
  });

  it.each([
    ['starts before the other ends', [3, 5]],
    ['lies inside the other', [2, 3]],
    ['covers the other', [0, 9]],
  ])('answers 409 duplicate_access_code for a stay that %s', async (_, [from, to]) => {
    const { deps, ws, stay } = await setup();
    await createAccessCode(deps, ws.principal, stay(1, 4));
    expect(await rejection(createAccessCode(deps, ws.principal, stay(from as number, to as number)))).toEqual(duplicate);
  });

  it('answers 409 for an ongoing code on a PIN a stay holds, and for a stay on a PIN an ongoing code holds', async () => {
    const { deps, ws, lock, stay } = await setup();
    await createAccessCode(deps, ws.principal, stay(30, 31));
    expect(await rejection(createAccessCode(deps, ws.principal, create({ device_id: lock.device_id, code: '2580' })))).toEqual(duplicate);
    await createAccessCode(deps, ws.principal, create({ device_id: lock.device_id, code: '1470' }));
    expect(await rejection(createAccessCode(deps, ws.principal, create({ device_id: lock.device_id, code: '1470', starts_at: stay(1, 2).starts_at, ends_at: stay(1, 2).ends_at })))).toEqual(duplicate);
  });

  it('refuses an update that makes two stays of one PIN overlap, and one making a stay ongoing; takes a move that keeps them apart', async () => {
    const { deps, ws, day, stay } = await setup();
    await createAccessCode(deps, ws.principal, stay(1, 4));
    const { access_code: second } = await createAccessCode(deps, ws.principal, stay(4, 7));
    const id = second.access_code_id;

    expect(await rejection(updateAccessCode(deps, ws.principal, update({ access_code_id: id, starts_at: day(3) })))).toEqual(duplicate);
    expect(await rejection(updateAccessCode(deps, ws.principal, update({ access_code_id: id, type: 'ongoing' })))).toEqual(duplicate);
    await updateAccessCode(deps, ws.principal, update({ access_code_id: id, starts_at: day(5), ends_at: day(8) }));
    await expect(createAccessCode(deps, ws.principal, stay(4, 5))).resolves.toBeDefined();
    expect(await rejection(createAccessCode(deps, ws.principal, stay(7, 9)))).toEqual(duplicate);
  });

  it('refuses an update onto another stay’s PIN when they overlap, and takes it when they do not', async () => {
    const { deps, ws, lock, day, stay } = await setup();
    await createAccessCode(deps, ws.principal, stay(1, 4));
    const { access_code: other } = await createAccessCode(deps, ws.principal, create({ device_id: lock.device_id, code: '9630', starts_at: day(3), ends_at: day(6) }));

    expect(await rejection(updateAccessCode(deps, ws.principal, update({ access_code_id: other.access_code_id, code: '2580' })))).toEqual(duplicate);
    await updateAccessCode(deps, ws.principal, update({ access_code_id: other.access_code_id, code: '2580', starts_at: day(4) }));
    expect(await deps.accessCodes.listByPin(ws.workspaceId, lock.device_id, '2580')).toHaveLength(2);
  });

  it('gets by device and PIN the stay holding the PIN now, else the next one', async () => {
    const { deps, ws, lock, clock, stay } = await setup();
    const { access_code: second } = await createAccessCode(deps, ws.principal, stay(4, 7));
    const { access_code: first } = await createAccessCode(deps, ws.principal, stay(1, 4));
    const byPin = () => getAccessCode(deps, ws.principal, { device_id: lock.device_id, code: '2580' });

    expect((await byPin()).access_code_id).toBe(first.access_code_id);
    clock.advance(2 * 86_400_000);
    expect((await byPin()).access_code_id).toBe(first.access_code_id);
    clock.advance(2 * 86_400_000);
    expect((await byPin()).access_code_id).toBe(second.access_code_id);
    clock.advance(10 * 86_400_000);
    expect((await byPin()).access_code_id).toBe(second.access_code_id);
  });

  it('generates, for a window, a PIN free during it: one a stay at another time holds may come back', async () => {
    const { deps, ws, lock, day } = await setup();
    const window = (from: number, to: number) => generateCodeInputSchema.parse({ device_id: lock.device_id, starts_at: day(from), ends_at: day(to) });
    const { code } = await generateCode(deps, ws.principal, window(1, 4));
    await createAccessCode(deps, ws.principal, create({ device_id: lock.device_id, code, starts_at: day(1), ends_at: day(4) }));
    const pinsDuring = async (from: number, to: number) => deps.accessCodes.listPins(ws.workspaceId, lock.device_id, { starts_at: day(from), ends_at: day(to) });

    expect(await pinsDuring(4, 7)).toEqual([]);
    expect(await pinsDuring(3, 5)).toEqual([code]);
    for (let i = 0; i < 20; i++) expect((await generateCode(deps, ws.principal, window(2, 3))).code).not.toBe(code);
    for (let i = 0; i < 20; i++) expect((await generateCode(deps, ws.principal, { device_id: lock.device_id })).code).not.toBe(code);
  });

  it('takes generate_code windows as 400s naming the field when they are not one', () => {
    const parsed = generateCodeInputSchema.safeParse({ device_id: '6f1d2c64-3d0b-4f57-9b6e-2b8f5f0e1a11', starts_at: '2026-12-05T12:00:00Z', ends_at: '2026-12-05T11:00:00Z' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path)).toEqual([['ends_at']]);
    expect(generateCodeInputSchema.safeParse({ device_id: '6f1d2c64-3d0b-4f57-9b6e-2b8f5f0e1a11', starts_at: 'tomorrow' }).error?.issues.map((i) => i.path)).toEqual([['starts_at']]);
  });
});
