import { type E2eServer, startE2eServer } from '../support/e2e-server';
import { expectValid, expectValidResponse } from '../support/seam-schemas';
import { pollUntil, rejectionOf } from './poll';
import { type SdkDevice, type SeamClient, type SeamSdk, field } from './seam-clients';

const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/**
 * The rest of Seam's access-code family through one generation of the official client, over
 * real HTTP against the local server on DynamoDB Local: linked codes, device constraints,
 * timelines, names, offline codes, the backup pool and unmanaged codes. Every answer is
 * checked against Seam's published OpenAPI document.
 */
export function describeAccessCodeFamily(label: string, loadSdk: () => SeamSdk): void {
  describe(`${label}: the access-code family`, () => {
    const sdk = loadSdk();
    let server: E2eServer;
    let seam: SeamClient;
    const devices = new Map<string, SdkDevice>();
    const lock = (name: string): string => {
      const device = devices.get(name);
      if (device === undefined) throw new Error(`No sandbox lock named ${name}`);
      return device.device_id;
    };

    beforeAll(async () => {
      server = await startE2eServer();
      seam = new sdk.SeamHttp({ apiKey: server.apiKey, endpoint: server.url });
      for (const device of await seam.devices.list()) devices.set(device.display_name, device);
    });

    afterAll(async () => {
      await server?.stop();
    });

    const getCode = async (access_code_id: string) => {
      const body = await seam.accessCodes.get({ access_code_id }).fetchResponse();
      expectValidResponse('/access_codes/get', body);
      return field(body, 'access_code');
    };

    async function expectInvalidInput(request: PromiseLike<unknown>, param: string) {
      const error = await rejectionOf(request);
      if (!(error instanceof sdk.SeamHttpInvalidInputError)) throw error;
      expect(error.getValidationErrorMessages(param)).toEqual(expect.arrayContaining([expect.stringMatching(/.+/)]));
    }

    test.concurrent('create_multiple gives Garage, Studio and Pool House one PIN under one key; update_multiple moves them together', async () => {
      const device_ids = [lock('Garage'), lock('Studio'), lock('Pool House')];
      const body = await seam.accessCodes.createMultiple({ device_ids, name: 'Family stay', starts_at: inDays(2), ends_at: inDays(4) }).fetchResponse();
      expectValidResponse('/access_codes/create_multiple', body);
      const created = await seam.accessCodes.createMultiple({ device_ids, name: 'Second stay', starts_at: inDays(2), ends_at: inDays(4) });
      for (const codes of [field(body, 'access_codes'), created]) {
        if (!Array.isArray(codes)) throw new Error('no access_codes');
        for (const code of codes) expectValid('access_code', code);
        expect(new Set(codes.map((c) => field(c, 'code'))).size).toBe(1);
        expect(new Set(codes.map((c) => field(c, 'common_code_key'))).size).toBe(1);
        expect(String(field(codes[0], 'code'))).toMatch(/^[1-9]{6}$/);
      }
      const key = created[0] && field(created[0], 'common_code_key');
      if (typeof key !== 'string') throw new Error('no common_code_key');
      const ends_at = inDays(5);
      expect(await seam.accessCodes.updateMultiple({ common_code_key: key, name: 'Longer stay', ends_at })).toBeUndefined();
      for (const code of created) expect(await getCode(code.access_code_id)).toMatchObject({ name: 'Longer stay', ends_at, code: code.code, common_code_key: key });
    });

    test.concurrent('create_multiple refuses locks that cannot share a PIN, or gives them their own', async () => {
      const device_ids = [lock('Front Door'), lock('Garage')];
      await expectInvalidInput(seam.accessCodes.createMultiple({ device_ids }), 'behavior_when_code_cannot_be_shared');
      const codes = await seam.accessCodes.createMultiple({ device_ids, behavior_when_code_cannot_be_shared: 'create_random_code', starts_at: inDays(3), ends_at: inDays(4) });
      for (const code of codes) expectValid('access_code', code);
      expect(codes.map((c) => c.code?.length)).toEqual([4, 6]);
    });

    test.concurrent('report_device_constraints changes the PIN lengths a lock takes', async () => {
      const storage = lock('Storage Room');
      expect(await seam.accessCodes.reportDeviceConstraints({ device_id: storage, min_code_length: 5, max_code_length: 5 })).toBeUndefined();
      expect((await seam.devices.get({ device_id: storage })).properties.supported_code_lengths).toEqual([5]);
      expect((await seam.accessCodes.generateCode({ device_id: storage })).code).toMatch(/^\d{5}$/);
      await expectInvalidInput(seam.accessCodes.create({ device_id: storage, code: '4829', starts_at: inDays(2), ends_at: inDays(3) }), 'code');
      await expectInvalidInput(seam.accessCodes.reportDeviceConstraints({ device_id: storage, min_code_length: 8, max_code_length: 6 }), 'max_code_length');
    });

    test.concurrent("get_timeline tells a code's history with precise change events, also after the code is gone", async () => {
      const sideGate = lock('Side Gate');
      const code = await seam.accessCodes.create({ device_id: sideGate, name: 'Painter', code: '582947' });
      await pollUntil(
        'the code to be set',
        () => getCode(code.access_code_id),
        (c) => field(c, 'status') === 'set',
      );
      await seam.accessCodes.update({ access_code_id: code.access_code_id, name: 'Decorator' });
      const since = new Date(Date.now() - DAY).toISOString();
      const changes = await seam.events.list({ since, access_code_id: code.access_code_id, event_types: ['access_code.changed', 'access_code.name_changed'] });
      for (const event of changes) expectValid('event', event);
      expect(changes.map((e) => e.event_type).sort()).toEqual(['access_code.changed', 'access_code.name_changed']);
      await seam.accessCodes.delete({ access_code_id: code.access_code_id });
      await pollUntil(
        'the code to be gone',
        async () => seam.accessCodes.list({ device_id: sideGate }),
        (codes) => !codes.some((c) => c.access_code_id === code.access_code_id),
      );

      const { data } = await seam.client.get('/access_codes/get_timeline', { params: { access_code_id: code.access_code_id } });
      expectValidResponse('/access_codes/get_timeline', data);
      const events = field(data, 'timeline_events');
      if (!Array.isArray(events)) throw new Error('no timeline_events');
      expect(events.map((e) => field(e, 'event_type'))).toEqual([
        'access_code.created',
        'access_code.set_on_device',
        'access_code.changed',
        'access_code.name_changed',
        'access_code.deleted',
        'access_code.removed_from_device',
      ]);
      const firstPage = await seam.client.get('/access_codes/get_timeline', { params: { access_code_id: code.access_code_id, limit: 4 } });
      expectValidResponse('/access_codes/get_timeline', firstPage.data);
      expect(field(firstPage.data, 'pagination')).toMatchObject({ has_more: true, next_cursor: expect.any(String), prev_cursor: null });
    });

    test.concurrent('offline codes on Guest Suite: hourly, daily and one-time algoPINs, assigned without the lock, then never changed', async () => {
      const guestSuite = lock('Guest Suite');
      const suite = await seam.devices.get({ device_id: guestSuite });
      expectValid('device', suite);
      expect(suite).toMatchObject({ can_program_offline_access_codes: true, properties: { offline_access_codes_enabled: true } });
      const hour = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + DAY).getTime();
      const hourly = await seam.accessCodes.create({
        device_id: guestSuite,
        name: 'Hourly',
        is_offline_access_code: true,
        starts_at: new Date(hour).toISOString(),
        ends_at: new Date(hour + 5 * 3_600_000).toISOString(),
      });
      const daily = await seam.accessCodes.create({
        device_id: guestSuite,
        name: 'Daily',
        use_offline_access_code: true,
        max_time_rounding: '1d',
        starts_at: new Date(hour).toISOString(),
        ends_at: new Date(hour + 30 * DAY).toISOString(),
      });
      const once = await seam.accessCodes.create({ device_id: guestSuite, name: 'Once', is_offline_access_code: true, is_one_time_use: true, starts_at: new Date(hour + 3_600_000).toISOString() });
      for (const code of [hourly, daily, once]) {
        expectValid('access_code', code);
        expect(code).toMatchObject({ is_offline_access_code: true, is_waiting_for_code_assignment: true, code: null, status: 'unset' });
        const set = await pollUntil(
          'the PIN to be assigned',
          () => getCode(code.access_code_id),
          (c) => field(c, 'status') === 'set',
        );
        expect(set).toMatchObject({ is_waiting_for_code_assignment: false, code: expect.stringMatching(/^\d{9}$/) });
      }
      expect(once).toMatchObject({ is_one_time_use: true });
      await expectInvalidInput(seam.accessCodes.update({ access_code_id: hourly.access_code_id, name: 'Renamed' }), 'access_code_id');
      await expectInvalidInput(seam.accessCodes.delete({ access_code_id: daily.access_code_id }), 'access_code_id');
      await expectInvalidInput(
        seam.accessCodes.create({ device_id: guestSuite, is_offline_access_code: true, starts_at: new Date(hour).toISOString(), ends_at: new Date(hour + 40 * DAY).toISOString() }),
        'max_time_rounding',
      );
    });

    test.concurrent('codes set outside Latchkey: simulated, listed, got, converted to managed and deleted, valid unmanaged_access_codes', async () => {
      const flaky = lock('Flaky Door');
      const body = await seam.accessCodes.simulate.createUnmanagedAccessCode({ device_id: flaky, name: 'Neighbour', code: '864213' }).fetchResponse();
      expectValidResponse('/access_codes/simulate/create_unmanaged_access_code', body);
      const neighbour = field(body, 'access_code');
      expectValid('unmanaged_access_code', neighbour);
      const tenant = await seam.accessCodes.simulate.createUnmanagedAccessCode({ device_id: flaky, name: 'Old tenant', code: '975318' });
      expectValid('unmanaged_access_code', tenant);
      const neighbourId = String(field(neighbour, 'access_code_id'));

      const listed = await seam.accessCodes.unmanaged.list({ device_id: flaky }).fetchResponse();
      expectValidResponse('/access_codes/unmanaged/list', listed);
      expect(
        await pollUntil(
          'both to be listed',
          async () => seam.accessCodes.unmanaged.list({ device_id: flaky }),
          (codes) => codes.length === 2,
        ),
      ).toEqual(expect.arrayContaining([expect.objectContaining({ access_code_id: neighbourId, is_managed: false, code: '864213' })]));
      const got = await seam.accessCodes.unmanaged.get({ device_id: flaky, code: '975318' }).fetchResponse();
      expectValidResponse('/access_codes/unmanaged/get', got);
      expect(field(got, 'access_code')).toMatchObject({ access_code_id: tenant.access_code_id, name: 'Old tenant' });

      expect(await seam.accessCodes.unmanaged.convertToManaged({ access_code_id: neighbourId, allow_external_modification: true })).toBeUndefined();
      const managed = await pollUntil(
        'the converted code to be set',
        () => getCode(neighbourId),
        (c) => field(c, 'status') === 'set',
      );
      expect(managed).toMatchObject({ access_code_id: neighbourId, is_managed: true, code: '864213', is_external_modification_allowed: true });

      const deleted = await seam.accessCodes.unmanaged.delete({ access_code_id: tenant.access_code_id }).fetchResponse();
      expectValidResponse('/access_codes/unmanaged/delete', deleted);
      await pollUntil(
        'no unmanaged code to be left',
        async () => seam.accessCodes.unmanaged.list({ device_id: flaky }),
        (codes) => codes.length === 0,
      );
      const since = new Date(Date.now() - DAY).toISOString();
      const events = await seam.events.list({ since, device_id: flaky, event_types: ['access_code.unmanaged.created', 'access_code.unmanaged.converted_to_managed', 'access_code.unmanaged.removed'] });
      for (const event of events) expectValid('event', event);
      expect(events.map((e) => e.event_type).sort()).toEqual([
        'access_code.unmanaged.converted_to_managed',
        'access_code.unmanaged.created',
        'access_code.unmanaged.created',
        'access_code.unmanaged.removed',
      ]);
      await expectInvalidInput(seam.accessCodes.unmanaged.update({ access_code_id: neighbourId, is_managed: false }), 'is_managed');
    });

    test.concurrent('a PIN changed on the lock outside Latchkey is put back, and reported as Seam does', async () => {
      const studio = lock('Studio');
      const code = await seam.accessCodes.create({ device_id: studio, name: 'Tutor', code: '572946' });
      await pollUntil(
        'the code to be set',
        () => getCode(code.access_code_id),
        (c) => field(c, 'status') === 'set',
      );
      await seam.client.post('/access_codes/simulate/external_modification', { access_code_id: code.access_code_id, change_type: 'modified', code: '864297' });
      const conflicted = await pollUntil(
        'the conflict to be seen',
        () => getCode(code.access_code_id),
        (c) => JSON.stringify(field(c, 'errors')).includes('conflicting_external_modification'),
      );
      expect(conflicted).toMatchObject({ code: '572946' });
      await pollUntil(
        'the PIN to be back',
        () => getCode(code.access_code_id),
        (c) => field(c, 'status') === 'set' && JSON.stringify(field(c, 'errors')) === '[]',
      );
      const since = new Date(Date.now() - DAY).toISOString();
      const [event] = await seam.events.list({ since, access_code_id: code.access_code_id, event_types: ['access_code.modified_external_to_seam'] });
      expectValid('event', event);
    });

    test.concurrent('the backup pool of Front Door: hidden backups, pulled once for a code, ending with it', async () => {
      const front = lock('Front Door');
      const original = await seam.accessCodes.create({ device_id: front, name: 'Stay with backup', use_backup_access_code_pool: true, starts_at: inDays(1), ends_at: inDays(2) });
      expectValid('access_code', original);
      // No backup is on the lock yet: a pull would answer empty_backup_access_code_pool, so none is shown as available.
      expect(original).toMatchObject({ is_backup_access_code_available: false });
      const pulled = await pollUntil(
        'a backup to be ready',
        async () => {
          try {
            return await seam.accessCodes.pullBackupAccessCode({ access_code_id: original.access_code_id }).fetchResponse();
          } catch (error) {
            if (error instanceof sdk.SeamHttpApiError && error.code === 'empty_backup_access_code_pool') return undefined;
            throw error;
          }
        },
        (body) => body !== undefined,
      );
      expectValidResponse('/access_codes/pull_backup_access_code', pulled);
      const backup = field(pulled, 'backup_access_code');
      expect(backup).toMatchObject({ is_backup: true, type: 'time_bound', ends_at: original.ends_at, name: expect.stringMatching(/^Backup [0-9a-f]{8} \(Seam\)$/) });
      const again = await seam.accessCodes.pullBackupAccessCode({ access_code_id: original.access_code_id });
      expectValid('access_code', again);
      expect(again.access_code_id).toBe(field(backup, 'access_code_id'));
      expect(await getCode(original.access_code_id)).toMatchObject({ pulled_backup_access_code_id: again.access_code_id, is_backup_access_code_available: false });
      const listed = await seam.accessCodes.list({ device_id: front });
      expect(listed.filter((c) => /^Backup /.test(c.name ?? '')).map((c) => c.access_code_id)).toEqual([again.access_code_id]);
      const since = new Date(Date.now() - DAY).toISOString();
      const [event] = await seam.events.list({ since, access_code_id: original.access_code_id, event_types: ['access_code.backup_access_code_pulled'] });
      expectValid('event', event);
    });

    test.concurrent('a name the lock cannot hold is adapted in appearance, and name keeps what was sent', async () => {
      const backDoor = lock('Back Door');
      const code = await seam.accessCodes.create({ device_id: backDoor, name: 'Housekeeping team', starts_at: inDays(2), ends_at: inDays(3) });
      expectValid('access_code', code);
      expect(code).toMatchObject({ name: 'Housekeeping team', appearance: { name: 'Housekeeping t' } });
      const twin = await seam.accessCodes.create({ device_id: backDoor, name: 'Housekeeping team', starts_at: inDays(2), ends_at: inDays(3) });
      expect(twin).toMatchObject({ name: 'Housekeeping team', appearance: { name: 'Housekeepi (2)' } });
    });
  });
}
