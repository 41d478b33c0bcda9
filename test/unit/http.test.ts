import { makeHandler as makeCreate } from '../../functions/access-codes-create';
import { makeHandler as makeDelete } from '../../functions/access-codes-delete';
import { makeHandler as makeGet } from '../../functions/access-codes-get';
import { makeHandler as makeList } from '../../functions/access-codes-list';
import { makeHandler as makeAttemptGet } from '../../functions/action-attempts-get';
import { makeHandler as makeDeviceGet } from '../../functions/devices-get';
import { makeHandler as makeDeviceList } from '../../functions/devices-list';
import { makeHandler as makeDisconnect } from '../../functions/devices-simulate-disconnect';
import { makeHandler as makeEventGet } from '../../functions/events-get';
import { makeHandler as makeEventList } from '../../functions/events-list';
import { handler as notFound } from '../../functions/not-found';
import { memoryApp, invoke, sandboxWorkspace } from '../support/memory-app';

async function setup() {
  const app = memoryApp();
  const ws = await sandboxWorkspace(app.deps);
  return { ...app, ws, create: makeCreate(app.deps), get: makeGet(app.deps), list: makeList(app.deps), del: makeDelete(app.deps) };
}

const seamError = (type: string) => ({ error: expect.objectContaining({ type, message: expect.any(String), request_id: expect.any(String) }), ok: false });

describe('the HTTP layer', () => {
  it('answers with ok: true, JSON and a seam-request-id header', async () => {
    const { create, ws } = await setup();
    const res = await invoke(create, { apiKey: ws.apiKey, body: { device_id: ws.byType('kwikset_lock').device_id, code: '4829' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['seam-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toMatchObject({ ok: true, access_code: { code: '4829', status: 'setting' }, action_attempt: { status: 'pending' } });
  });

  it.each([
    ['no header', undefined],
    ['an unknown key', 'seam_unknownkey_0123456789abcdefghij'],
    ['another credential kind', 'seam_cst1234567890abcdefghijklmnop'],
  ])('answers 401 unauthorized for %s', async (_, apiKey) => {
    const { get } = await setup();
    const res = await invoke(get, { method: 'GET', apiKey, query: 'access_code_id=00000000-0000-4000-8000-000000000000' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(seamError('unauthorized'));
  });

  it('answers 405 for a verb the route does not take', async () => {
    const { create, ws } = await setup();
    const res = await invoke(create, { method: 'GET', apiKey: ws.apiKey });
    expect(res.status).toBe(405);
    expect(res.body).toEqual(seamError('method_not_allowed'));
  });

  it.each([
    ['malformed JSON', { rawBody: '{"device_id": ' }, {}],
    ['a JSON array', { rawBody: '[1,2]' }, {}],
    ['a missing device_id', { body: {} }, { device_id: { _errors: [expect.any(String)] } }],
    ['a number for code', { body: { device_id: '00000000-0000-4000-8000-000000000000', code: 1234 } }, { code: { _errors: [expect.stringContaining('expected string')] } }],
    ['an unknown enum value', { body: { device_id: '00000000-0000-4000-8000-000000000000', max_time_rounding: '2weeks' } }, { max_time_rounding: expect.anything() }],
    ['a bad date', { body: { device_id: '00000000-0000-4000-8000-000000000000', starts_at: 'tomorrow', ends_at: 'later' } }, { starts_at: expect.anything(), ends_at: expect.anything() }],
  ])('answers 400 invalid_input for %s', async (_, request, fields) => {
    const { create, ws } = await setup();
    const res = await invoke(create, { apiKey: ws.apiKey, ...request });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(seamError('invalid_input'));
    expect(res.body.error.validation_errors).toMatchObject({ _errors: expect.any(Array), ...fields });
  });

  it('answers 413 for an oversized body', async () => {
    const { create, ws } = await setup();
    const res = await invoke(create, { apiKey: ws.apiKey, body: { device_id: ws.byType('kwikset_lock').device_id, name: 'x'.repeat(70_000) } });
    expect(res.status).toBe(413);
    expect(res.body).toEqual(seamError('payload_too_large'));
  });

  it('reads parameters from the query string, with booleans, numbers and repeated keys', async () => {
    const { create, list, ws } = await setup();
    const device_id = ws.byType('kwikset_lock').device_id;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await invoke(create, { apiKey: ws.apiKey, body: { device_id, name: `n${i}` } })).body.access_code.access_code_id);
    }
    const byIds = await invoke(list, { method: 'GET', apiKey: ws.apiKey, query: `access_code_ids=${ids[0]}&access_code_ids=${ids[2]}` });
    expect(byIds.body.access_codes.map((c: { access_code_id: string }) => c.access_code_id).sort()).toEqual([ids[0], ids[2]].sort());
    const page = await invoke(list, { method: 'GET', apiKey: ws.apiKey, query: `device_id=${device_id}&limit=2` });
    expect(page.body.access_codes).toHaveLength(2);
    expect(page.body.pagination).toMatchObject({ has_next_page: true, next_page_cursor: expect.any(String), next_page_url: expect.stringContaining('page_cursor=') });
    const rest = await invoke(list, { method: 'GET', apiKey: ws.apiKey, query: `device_id=${device_id}&limit=2&page_cursor=${encodeURIComponent(page.body.pagination.next_page_cursor)}` });
    expect(rest.body.access_codes).toHaveLength(1);
    expect(rest.body.pagination).toEqual({ has_next_page: false, next_page_cursor: null, next_page_url: null });
    const flagged = await invoke(create, { apiKey: ws.apiKey, method: 'POST', query: `device_id=${device_id}&prefer_native_scheduling=false&preferred_code_length=6` });
    expect(flagged.body.access_code.code).toHaveLength(6);
    const notBoolean = await invoke(create, { apiKey: ws.apiKey, method: 'POST', query: 'prefer_native_scheduling=maybe', body: { device_id } });
    expect(notBoolean.body.error.validation_errors).toMatchObject({ prefer_native_scheduling: expect.anything() });
    const badLimit = await invoke(list, { method: 'GET', apiKey: ws.apiKey, query: 'limit=lots' });
    expect(badLimit.body.error.validation_errors).toMatchObject({ limit: expect.anything() });
  });

  it('answers a garbled page cursor with 400 naming page_cursor', async () => {
    const { list, ws } = await setup();
    const res = await invoke(list, { method: 'GET', apiKey: ws.apiKey, query: 'page_cursor=garbage' });
    expect(res.status).toBe(400);
    expect(res.body.error.validation_errors).toMatchObject({ page_cursor: expect.anything() });
  });

  it('deletes with DELETE and a query string, as the 2.x client does', async () => {
    const { create, del, get, ws } = await setup();
    const { body } = await invoke(create, { apiKey: ws.apiKey, body: { device_id: ws.byType('kwikset_lock').device_id } });
    const res = await invoke(del, { method: 'DELETE', apiKey: ws.apiKey, query: `access_code_id=${body.access_code.access_code_id}` });
    expect(res.body).toMatchObject({ ok: true, action_attempt: { action_type: 'DELETE_ACCESS_CODE' } });
    const after = await invoke(get, { method: 'GET', apiKey: ws.apiKey, query: `access_code_id=${body.access_code.access_code_id}` });
    expect(after.body.access_code.status).toBe('removing');
  });

  it('keeps workspaces apart on every access-code route', async () => {
    const { deps, create, get, list, del, ws } = await setup();
    const other = await sandboxWorkspace(deps, 'Other');
    const { body } = await invoke(create, { apiKey: ws.apiKey, body: { device_id: ws.byType('kwikset_lock').device_id, code: '4829' } });
    const id = body.access_code.access_code_id;
    expect((await invoke(get, { apiKey: other.apiKey, body: { access_code_id: id } })).body).toEqual(seamError('access_code_not_found'));
    expect((await invoke(get, { apiKey: other.apiKey, body: { device_id: ws.byType('kwikset_lock').device_id, code: '4829' } })).status).toBe(404);
    expect((await invoke(list, { apiKey: other.apiKey, body: {} })).body.access_codes).toEqual([]);
    expect((await invoke(list, { apiKey: other.apiKey, body: { access_code_ids: [id] } })).body.access_codes).toEqual([]);
    expect((await invoke(list, { apiKey: other.apiKey, body: { device_id: ws.byType('kwikset_lock').device_id } })).body).toEqual(seamError('device_not_found'));
    expect((await invoke(del, { apiKey: other.apiKey, body: { access_code_id: id } })).status).toBe(404);
    expect((await invoke(create, { apiKey: other.apiKey, body: { device_id: ws.byType('kwikset_lock').device_id } })).body).toEqual(seamError('device_not_found'));
    expect((await invoke(get, { apiKey: ws.apiKey, body: { access_code_id: id } })).body.access_code.status).toBe('setting');
  });

  it('keeps workspaces apart on the device, action-attempt and event routes', async () => {
    const { deps, create, ws } = await setup();
    const other = await sandboxWorkspace(deps, 'Other');
    const lock = ws.byType('kwikset_lock');
    const { body } = await invoke(create, { apiKey: ws.apiKey, body: { device_id: lock.device_id } });
    const [event] = await deps.events.list(ws.workspaceId, { since: '2000-01-01T00:00:00.000Z', limit: 10 });
    const handlers = {
      deviceGet: makeDeviceGet(deps),
      deviceList: makeDeviceList(deps),
      disconnect: makeDisconnect(deps),
      attemptGet: makeAttemptGet(deps),
      eventGet: makeEventGet(deps),
      eventList: makeEventList(deps),
    };
    expect((await invoke(handlers.deviceGet, { apiKey: other.apiKey, body: { device_id: lock.device_id } })).body).toEqual(seamError('device_not_found'));
    expect((await invoke(handlers.deviceList, { apiKey: other.apiKey, body: {} })).body.devices.map((d: { device_id: string }) => d.device_id)).not.toContain(lock.device_id);
    expect((await invoke(handlers.disconnect, { apiKey: other.apiKey, body: { device_id: lock.device_id } })).body).toEqual(seamError('device_not_found'));
    expect((await invoke(handlers.attemptGet, { apiKey: other.apiKey, body: { action_attempt_id: body.action_attempt.action_attempt_id } })).body).toEqual(seamError('action_attempt_not_found'));
    expect((await invoke(handlers.eventGet, { apiKey: other.apiKey, body: { event_id: event?.event_id } })).body).toEqual(seamError('event_not_found'));
    expect((await invoke(handlers.eventList, { apiKey: other.apiKey, body: { since: '2000-01-01T00:00:00Z' } })).body.events).toEqual([]);
    // The owner still sees all of it, and the lock is still online.
    expect((await invoke(handlers.deviceGet, { apiKey: ws.apiKey, body: { device_id: lock.device_id } })).body.device.properties.online).toBe(true);
    expect((await invoke(handlers.attemptGet, { apiKey: ws.apiKey, body: { action_attempt_id: body.action_attempt.action_attempt_id } })).status).toBe(200);
    expect((await invoke(handlers.eventGet, { apiKey: ws.apiKey, body: { event_id: event?.event_id } })).body.event).toEqual(event);
  });

  it('answers an unexpected fault with a generic 500 that leaks nothing', async () => {
    const { deps, ws } = await setup();
    const broken = makeGet({
      ...deps,
      accessCodes: {
        ...deps.accessCodes,
        get: async () => {
          throw new Error('ProvisionedThroughputExceeded arn:aws:dynamodb:secret 4829');
        },
      },
    });
    const res = await invoke(broken, { apiKey: ws.apiKey, body: { access_code_id: '00000000-0000-4000-8000-000000000000' } });
    expect(res.status).toBe(500);
    expect(res.body).toEqual(seamError('internal_server_error'));
    expect(JSON.stringify(res.body)).not.toMatch(/arn|4829|Provisioned/);
  });

  it('answers unknown routes with a Seam-shaped 404', async () => {
    const res = await invoke(notFound, { path: '/nope' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(seamError('not_found'));
  });
});
