import { randomUUID } from 'node:crypto';
import { sandboxModels } from '../../lib/providers/sandbox';
import { newApiKey } from '../../lib/workspaces/workspaces';
import { type E2eServer, createOtherWorkspace, startE2eServer } from '../support/e2e-server';
import { expectValid } from '../support/seam-schemas';
import { pollUntil, rejectionOf, settle } from './poll';
import { type SdkDevice, type SeamClient, type SeamSdk, checkedAccessCodes, field } from './seam-clients';

const ids = (codes: readonly { access_code_id: string }[]) => codes.map((c) => c.access_code_id).sort();

const hasRunOfThree = (pin: string) =>
  [...pin].some((_, i) => {
    if (i < 2) return false;
    const [a, b, c] = [Number(pin[i - 2]), Number(pin[i - 1]), Number(pin[i])];
    return (b - a === 1 && c - b === 1) || (a - b === 1 && b - c === 1);
  });

/** Seam's PIN constraints, as the device publishes them in `code_constraints`. */
const pinRules: Record<string, (pin: string) => boolean> = {
  no_zeros: (pin) => !pin.includes('0'),
  cannot_start_with_12: (pin) => !pin.startsWith('12'),
  at_least_three_unique_digits: (pin) => new Set(pin).size >= 3,
  no_ascending_or_descending_sequence: (pin) => !hasRunOfThree(pin),
};
/** Constraints on the code's name, not its PIN. */
const nameRules = new Set(['name_length', 'name_must_be_unique']);

/** The rules a PIN breaks on a device, by the device's own `supported_code_lengths` and `code_constraints`. */
function ruleViolations(device: SdkDevice, pin: string): string[] {
  const { supported_code_lengths: lengths = [], code_constraints: constraints = [] } = device.properties;
  const broken = lengths.includes(pin.length) ? [] : [`length ${pin.length} not in ${lengths.join(',')}`];
  for (const { constraint_type: rule } of constraints) {
    const fits = pinRules[rule];
    if (fits === undefined && !nameRules.has(rule)) broken.push(`unchecked constraint ${rule}`);
    else if (fits !== undefined && !fits(pin)) broken.push(rule);
  }
  return broken;
}

/**
 * The access-codes API through one generation of the official client, over real HTTP, against
 * the local server on DynamoDB Local. Every object a response carries is checked against
 * Seam's published OpenAPI schema. The tests run concurrently: each works on its own codes
 * (and PINs), and most of their time is spent waiting for locks.
 */
export function describeSdkConformance(label: string, loadSdk: () => SeamSdk): void {
  describe(`${label} against Latchkey`, () => {
    const sdk = loadSdk();
    let server: E2eServer;
    let seam: SeamClient;
    let codes: ReturnType<typeof checkedAccessCodes>;
    const devices = new Map<string, SdkDevice>();
    const wait = { waitForActionAttempt: { timeout: 15_000, pollingInterval: 200 } };

    const lock = (name: string): SdkDevice => {
      const device = devices.get(name);
      if (device === undefined) throw new Error(`No sandbox lock named ${name}`);
      return device;
    };

    beforeAll(async () => {
      server = await startE2eServer();
      seam = new sdk.SeamHttp({ apiKey: server.apiKey, endpoint: server.url });
      codes = checkedAccessCodes(seam);
      for (const device of await seam.devices.list()) devices.set(device.display_name, device);
    });

    afterAll(async () => {
      await server?.stop();
    });

    async function expectApiError(request: PromiseLike<unknown>, code: string, statusCode: number) {
      const error = await rejectionOf(request);
      expect(error).toBeInstanceOf(sdk.SeamHttpApiError);
      expect(error).not.toBeInstanceOf(sdk.SeamHttpInvalidInputError);
      expect(error).toMatchObject({ code, statusCode, requestId: expect.stringMatching(/.+/) });
    }

    async function expectInvalidInput(request: PromiseLike<unknown>, param: string) {
      const error = await rejectionOf(request);
      if (!(error instanceof sdk.SeamHttpInvalidInputError)) throw error;
      expect(error).toMatchObject({ code: 'invalid_input', statusCode: 400 });
      expect(error.getValidationErrorMessages(param)).toEqual(expect.arrayContaining([expect.stringMatching(/.+/)]));
    }

    test.concurrent('devices.list returns every sandbox lock as a Seam device', async () => {
      const listed = await seam.devices.list();
      expect(listed.map((d) => d.display_name).sort()).toEqual(sandboxModels.map((m) => m.name).sort());
      for (const device of listed) expectValid('device', device);
    });

    test.concurrent('devices.get returns the device that devices.list showed', async () => {
      for (const name of ['Front Door', 'Garage', 'Storage Room']) {
        const device = await seam.devices.get({ device_id: lock(name).device_id });
        expect(device).toEqual(lock(name));
        expectValid('device', device);
      }
    });

    test.concurrent("accessCodes.generateCode gives a PIN that fits each lock's constraints, and create accepts it", async () => {
      // Seam's OpenAPI declares generated_code an access_code; Seam's own fake (and Latchkey)
      // answer { device_id, code }, and that is what the clients hand back.
      for (const device of devices.values()) {
        const generated = await seam.accessCodes.generateCode({ device_id: device.device_id });
        expect(generated).toEqual({ device_id: device.device_id, code: expect.stringMatching(/^\d+$/) });
        expect({ lock: device.display_name, broken: ruleViolations(device, generated.code ?? '') }).toEqual({ lock: device.display_name, broken: [] });
      }
      const garage = lock('Garage').device_id;
      const generated = await seam.accessCodes.generateCode({ device_id: garage });
      const { accessCode } = await codes.create({ device_id: garage, name: 'Generated', code: generated.code });
      expect(accessCode.code).toBe(generated.code);
    });

    test.concurrent('accessCodes.create makes an ongoing code that get finds by id and by device and PIN', async () => {
      const backDoor = lock('Back Door').device_id;
      const { accessCode, actionAttempt } = await codes.create({ device_id: backDoor, name: 'Cleaner', code: '4826' });
      expect(accessCode).toMatchObject({ device_id: backDoor, name: 'Cleaner', code: '4826', type: 'ongoing', is_managed: true });
      expect(['setting', 'set']).toContain(accessCode.status);
      expect(actionAttempt).toMatchObject({ action_type: 'CREATE_ACCESS_CODE' });

      const byId = await codes.get({ access_code_id: accessCode.access_code_id });
      expect(byId).toMatchObject({ access_code_id: accessCode.access_code_id, device_id: backDoor, name: 'Cleaner', code: '4826', type: 'ongoing' });
      const byPin = await codes.get({ device_id: backDoor, code: '4826' });
      expect(byPin.access_code_id).toBe(accessCode.access_code_id);
    });

    test.concurrent('accessCodes.create makes a time-bound code with its window', async () => {
      const guestSuite = lock('Guest Suite').device_id;
      const startsAt = new Date(Date.now() + 86_400_000).toISOString();
      const endsAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
      const accessCode = await seam.accessCodes.create({ device_id: guestSuite, name: 'Weekend guest', starts_at: startsAt, ends_at: endsAt });
      expectValid('access_code', accessCode);
      expect(accessCode).toMatchObject({ type: 'time_bound', starts_at: startsAt, ends_at: endsAt, status: 'unset' });

      const fetched = await codes.get({ access_code_id: accessCode.access_code_id });
      expect(fetched).toMatchObject({ type: 'time_bound', starts_at: startsAt, ends_at: endsAt, status: 'unset' });
    });

    test.concurrent("actionAttempts.get follows a create's action attempt until it succeeds", async () => {
      const { accessCode, actionAttempt } = await codes.create({ device_id: lock('Front Door').device_id, name: 'Dog walker' });
      const now = await seam.actionAttempts.get({ action_attempt_id: actionAttempt.action_attempt_id }, { waitForActionAttempt: false });
      expectValid('action_attempt', now);
      expect(now).toMatchObject({ action_attempt_id: actionAttempt.action_attempt_id, action_type: 'CREATE_ACCESS_CODE' });

      const done = await seam.actionAttempts.get({ action_attempt_id: actionAttempt.action_attempt_id }, wait);
      expectValid('action_attempt', done);
      expect(done).toMatchObject({ action_attempt_id: actionAttempt.action_attempt_id, action_type: 'CREATE_ACCESS_CODE', status: 'success', error: null });
      // Seam's schema: a successful CREATE_ACCESS_CODE attempt's result is { access_code }.
      expect(field(done, 'result')).toMatchObject({ access_code: { access_code_id: accessCode.access_code_id, status: 'set' } });
      expectValid('access_code', field(field(done, 'result'), 'access_code'));
    });

    test.concurrent('accessCodes.list finds codes by device and by ids, one page at a time', async () => {
      const studio = lock('Studio').device_id;
      const created = [];
      for (const name of ['Tenant A', 'Tenant B', 'Tenant C']) created.push((await codes.create({ device_id: studio, name })).accessCode);

      const byDevice = await seam.accessCodes.list({ device_id: studio });
      for (const code of byDevice) expectValid('access_code', code);
      expect(ids(byDevice)).toEqual(ids(created));

      const wanted = [created[0], created[2]].flatMap((c) => (c ? [c] : []));
      const byIds = await seam.accessCodes.list({ access_code_ids: wanted.map((c) => c.access_code_id) });
      for (const code of byIds) expectValid('access_code', code);
      expect(ids(byIds)).toEqual(ids(wanted));

      const firstBody = await seam.accessCodes.list({ device_id: studio, limit: 2 }).fetchResponse();
      expectValid('pagination', field(firstBody, 'pagination'));
      const [firstPage, pagination] = await seam.createPaginator(seam.accessCodes.list({ device_id: studio, limit: 2 })).firstPage();
      expect(firstPage).toHaveLength(2);
      for (const code of firstPage) expectValid('access_code', code);
      expect(pagination).toMatchObject({ hasNextPage: true, nextPageCursor: expect.stringMatching(/.+/) });

      const everything = await seam.createPaginator(seam.accessCodes.list({ device_id: studio, limit: 2 })).flattenToArray();
      for (const code of everything) expectValid('access_code', code);
      expect(ids(everything)).toEqual(ids(created));
    });

    test.concurrent('accessCodes.update renames a code and changes its PIN; get shows both', async () => {
      const garage = lock('Garage').device_id;
      const { accessCode } = await codes.create({ device_id: garage, name: 'Plumber', code: '357946' });
      const id = accessCode.access_code_id;

      expect(await seam.accessCodes.update({ access_code_id: id, name: 'Electrician' })).toBeUndefined();
      expect(await codes.get({ access_code_id: id })).toMatchObject({ name: 'Electrician', code: '357946' });

      const repinAttempt = field(await seam.accessCodes.update({ access_code_id: id, code: '468135' }).fetchResponse(), 'action_attempt');
      expectValid('action_attempt', repinAttempt);
      expect(repinAttempt).toMatchObject({ action_type: 'UPDATE_ACCESS_CODE' });
      expect(await codes.get({ access_code_id: id })).toMatchObject({ name: 'Electrician', code: '468135' });
      expect((await codes.get({ device_id: garage, code: '468135' })).access_code_id).toBe(id);
      await expectApiError(seam.accessCodes.get({ device_id: garage, code: '357946' }), 'access_code_not_found', 404);

      const done = await seam.actionAttempts.get({ action_attempt_id: repinAttempt.action_attempt_id }, wait);
      expectValid('action_attempt', done);
      expect(done).toMatchObject({ action_type: 'UPDATE_ACCESS_CODE', status: 'success' });
      // Seam's schema: a successful UPDATE_ACCESS_CODE attempt's result is { access_code }.
      expect(field(done, 'result')).toMatchObject({ access_code: { access_code_id: id, code: '468135' } });
    });

    test.concurrent('accessCodes.delete takes a set code off the lock, then get answers 404', async () => {
      const sideGate = lock('Side Gate').device_id;
      const { accessCode } = await codes.create({ device_id: sideGate, name: 'Contractor' });
      const id = accessCode.access_code_id;
      await pollUntil(
        'the code to be set',
        () => codes.get({ access_code_id: id }),
        (c) => c.status === 'set',
      );

      const attempt = field(await seam.accessCodes.delete({ access_code_id: id }).fetchResponse(), 'action_attempt');
      expectValid('action_attempt', attempt);
      expect(attempt).toMatchObject({ action_type: 'DELETE_ACCESS_CODE' });

      const gone = await pollUntil(
        'get to answer 404',
        () => settle(seam.accessCodes.get({ access_code_id: id })),
        (outcome) => {
          if (!('value' in outcome)) return true;
          expectValid('access_code', outcome.value);
          expect(outcome.value.status).toBe('removing');
          return false;
        },
      );
      expect('error' in gone && gone.error).toBeInstanceOf(sdk.SeamHttpApiError);
      expect(gone).toMatchObject({ error: { code: 'access_code_not_found', statusCode: 404 } });
      const remaining = await seam.accessCodes.list({ device_id: sideGate });
      for (const code of remaining) expectValid('access_code', code);
      expect(ids(remaining)).not.toContain(id);

      const done = await seam.actionAttempts.get({ action_attempt_id: attempt.action_attempt_id }, wait);
      expectValid('action_attempt', done);
      expect(done).toMatchObject({ action_type: 'DELETE_ACCESS_CODE', status: 'success' });
    });

    test.concurrent('a malformed PIN is SeamHttpInvalidInputError naming code', async () => {
      await expectInvalidInput(seam.accessCodes.create({ device_id: lock('Front Door').device_id, code: 'abc' }), 'code');
    });

    test.concurrent("a PIN that breaks the lock's rules is SeamHttpInvalidInputError naming code", async () => {
      await expectInvalidInput(seam.accessCodes.create({ device_id: lock('Garage').device_id, code: '125689' }), 'code');
      await expectInvalidInput(seam.accessCodes.create({ device_id: lock('Front Door').device_id, code: '13579' }), 'code');
    });

    test.concurrent('an unknown access code is SeamHttpApiError access_code_not_found (404)', async () => {
      const unknown = randomUUID();
      await expectApiError(seam.accessCodes.get({ access_code_id: unknown }), 'access_code_not_found', 404);
      await expectApiError(seam.accessCodes.update({ access_code_id: unknown, name: 'Nobody' }), 'access_code_not_found', 404);
      await expectApiError(seam.accessCodes.delete({ access_code_id: unknown }), 'access_code_not_found', 404);
    });

    test.concurrent('a second code with the same PIN on one lock is SeamHttpApiError duplicate_access_code (409)', async () => {
      const poolHouse = lock('Pool House').device_id;
      await codes.create({ device_id: poolHouse, name: 'Lifeguard', code: '739251' });
      await expectApiError(seam.accessCodes.create({ device_id: poolHouse, name: 'Coach', code: '739251' }), 'duplicate_access_code', 409);
    });

    test.concurrent('stays that follow each other share a PIN on one lock; one overlapping them is duplicate_access_code (409)', async () => {
      const poolHouse = lock('Pool House').device_id;
      const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
      const stay = (name: string, from: number, to: number) => ({ device_id: poolHouse, name, code: '739254', starts_at: day(from), ends_at: day(to) });
      const first = await codes.create(stay('First guest', 10, 14));
      const next = await codes.create(stay('Next guest', 14, 18));
      expect([first.accessCode.code, next.accessCode.code]).toEqual(['739254', '739254']);
      await expectApiError(seam.accessCodes.create(stay('Overlapping guest', 13, 15)), 'duplicate_access_code', 409);
      await expectApiError(seam.accessCodes.create({ device_id: poolHouse, name: 'Ongoing', code: '739254' }), 'duplicate_access_code', 409);
      expect((await codes.get({ device_id: poolHouse, code: '739254' })).access_code_id).toBe(first.accessCode.access_code_id);
    });

    test.concurrent('an unknown API key is SeamHttpUnauthorizedError', async () => {
      const stranger = new sdk.SeamHttp({ apiKey: newApiKey(), endpoint: server.url });
      for (const request of [stranger.devices.list(), stranger.accessCodes.get({ access_code_id: randomUUID() })]) {
        const error = await rejectionOf(request);
        expect(error).toBeInstanceOf(sdk.SeamHttpUnauthorizedError);
        expect(error).toMatchObject({ code: 'unauthorized', statusCode: 401 });
      }
    });

    test.concurrent("another workspace's key sees none of this workspace's codes or locks", async () => {
      const backDoor = lock('Back Door').device_id;
      const { accessCode } = await codes.create({ device_id: backDoor, name: 'Owner', code: '5937' });
      const id = accessCode.access_code_id;
      const other = await createOtherWorkspace();
      const theirs = new sdk.SeamHttp({ apiKey: other.apiKey, endpoint: server.url });

      const theirDevices = await theirs.devices.list();
      expect(theirDevices).toHaveLength(devices.size);
      expect(theirDevices.map((d) => d.device_id)).not.toContain(backDoor);

      await expectApiError(theirs.accessCodes.get({ access_code_id: id }), 'access_code_not_found', 404);
      const byPin = await rejectionOf(theirs.accessCodes.get({ device_id: backDoor, code: '5937' }));
      expect(byPin).toBeInstanceOf(sdk.SeamHttpApiError);
      expect(byPin).toMatchObject({ statusCode: 404, code: expect.stringMatching(/^(access_code|device)_not_found$/) });
      expect(await theirs.accessCodes.list({ access_code_ids: [id] })).toEqual([]);
      await expectApiError(theirs.accessCodes.list({ device_id: backDoor }), 'device_not_found', 404);
      await expectApiError(theirs.devices.get({ device_id: backDoor }), 'device_not_found', 404);
      await expectApiError(theirs.accessCodes.update({ access_code_id: id, name: 'Intruder' }), 'access_code_not_found', 404);
      await expectApiError(theirs.accessCodes.delete({ access_code_id: id }), 'access_code_not_found', 404);

      expect(await codes.get({ access_code_id: id })).toMatchObject({ name: 'Owner', code: '5937' });
      for (const device of theirDevices) expectValid('device', device);
    });
  });
}
