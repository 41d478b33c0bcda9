import { request as httpRequest, Agent } from 'node:http';
import { routes } from '../../lib/http/routes';
import { type TestHttpServer, startHttpServer } from '../support/http-server';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';

/*
 * Odd input through the real local HTTP server: every answer is a Seam-shaped 4xx with a
 * request id, never a 500, a bare Node error page or a hung connection.
 */

let server: TestHttpServer;
let apiKey: string;
let lockId: string;

beforeAll(async () => {
  const app = memoryApp();
  const ws = await sandboxWorkspace(app.deps);
  apiKey = ws.apiKey;
  lockId = ws.byType('kwikset_lock').device_id;
  server = await startHttpServer(app.deps);
});

afterAll(async () => {
  await server?.stop();
});

async function call(method: string, path: string, options: { query?: string; body?: string } = {}) {
  const res = await fetch(`${server.url}${path}${options.query ? `?${options.query}` : ''}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(options.body !== undefined && { 'content-type': 'application/json' }) },
    body: options.body,
  });
  const text = await res.text();
  return { status: res.status, requestId: res.headers.get('seam-request-id'), body: text === '' ? undefined : JSON.parse(text) };
}

const seamError = (type?: string) => ({
  error: expect.objectContaining({ type: type ?? expect.any(String), message: expect.any(String), request_id: expect.any(String) }),
  ok: false,
});

const prototypeKeys = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__', 'toLocaleString'];

describe('query keys named after Object.prototype members', () => {
  it.each(routes.flatMap((route) => prototypeKeys.map((key) => [route.path, route.methods[0], key] as const)))('%s (%s) answers ?%s=1 without a 5xx', async (path, method, key) => {
    for (const query of [`${key}=1`, `${key}[]=1&${key}[]=2`, `${key}`]) {
      const res = await call(method, path, { query });
      expect(res.status).toBeLessThan(500);
      expect(res.requestId).toMatch(/^[0-9a-f-]{36}$/);
      if (res.status >= 400) expect(res.body).toEqual(seamError());
    }
  });

  it.each(prototypeKeys)('answers a JSON body with a "%s" member without a 5xx', async (key) => {
    for (const route of routes.filter((r) => (r.methods as readonly string[]).includes('POST'))) {
      const res = await call('POST', route.path, { body: `{"${key}": {"device_id": 1}, "device_id": "${lockId}"}` });
      expect(res.status).toBeLessThan(500);
    }
  });
});

describe('impossible dates', () => {
  it.each([
    ['2027-02-29T12:00:00Z', 'starts_at'],
    ['2027-04-31T10:00:00Z', 'starts_at'],
    ['2027-01-01T10:00:00\u0000Z', 'starts_at'],
    ['2027-01-01T10:00\u0000:00Z', 'starts_at'],
    ['2027-13-01T10:00:00Z', 'starts_at'],
    ['2027-01-01T24:00:00Z', 'starts_at'],
    ['2027-01-01T10:60:00Z', 'starts_at'],
    ['2027-01-01T10:00:61Z', 'starts_at'],
    ['2027-01-01T10:00:00+25:00', 'starts_at'],
    ['2027-01-01T10:00:00Zjunk', 'starts_at'],
  ])('answers create with starts_at %j with a 400 naming %s', async (value, field) => {
    const res = await call('POST', '/access_codes/create', {
      body: JSON.stringify({ device_id: lockId, starts_at: value, ends_at: '2027-06-01T10:00:00Z' }),
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(seamError('invalid_input'));
    expect(res.body.error.validation_errors).toMatchObject({ [field]: { _errors: [expect.any(String)] } });
  });

  it('answers events/list with an impossible since with a 400 naming since', async () => {
    const res = await call('GET', '/events/list', { query: 'since=2027-02-29T00:00:00Z' });
    expect(res.status).toBe(400);
    expect(res.body.error.validation_errors).toMatchObject({ since: expect.anything() });
  });

  it('still accepts the ISO 8601 forms the clients send, leap days included', async () => {
    for (const [starts_at, ends_at] of [
      ['2028-02-29T12:00:00Z', '2028-03-01T12:00:00.000Z'],
      ['2028-02-29T12:00:00+02:00', '2028-03-01T12:00:00+0200'],
      ['2028-02-29T12:00:00.123456Z', '2028-03-01T12:00Z'],
    ]) {
      const res = await call('POST', '/access_codes/create', { body: JSON.stringify({ device_id: lockId, starts_at, ends_at }) });
      expect(res.status).toBe(200);
      expect(res.body.access_code.starts_at).toBe(new Date(starts_at as string).toISOString());
    }
  });
});

describe('strings without a bound', () => {
  it.each([
    ['code', { device_id: '00000000-0000-4000-8000-000000000000', code: '1'.repeat(5000) }, '/access_codes/get'],
    ['common_code_key', { device_id: '00000000-0000-4000-8000-000000000000', common_code_key: 'k'.repeat(5000) }, '/access_codes/create'],
    ['name', { device_id: '00000000-0000-4000-8000-000000000000', name: 'n'.repeat(5000) }, '/access_codes/create'],
    ['page_cursor', { page_cursor: 'c'.repeat(5000) }, '/access_codes/list'],
    ['search', { search: 's'.repeat(5000) }, '/access_codes/list'],
  ])('answers an over-long %s with a 400 naming it', async (field, body, path) => {
    const res = await call('POST', path, { body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    expect(res.body.error.validation_errors).toMatchObject({ [field]: { _errors: [expect.any(String)] } });
  });
});

describe('requests too large for the server', () => {
  it('answers a URL over 16 KB with a Seam-shaped 400 naming the parameter', async () => {
    const res = await call('GET', '/access_codes/list', { query: `search=${'s'.repeat(30_000)}` });
    expect(res.status).toBe(400);
    expect(res.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.error.validation_errors).toMatchObject({ search: expect.anything() });
  });

  it('answers a request line and headers beyond what it reads with a Seam-shaped 431', async () => {
    const res = await call('GET', '/access_codes/list', { query: `search=${'s'.repeat(200_000)}` });
    expect(res.status).toBe(431);
    expect(res.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toEqual(seamError('request_header_fields_too_large'));
  });

  it('answers a body over 10 MB with 413 and keeps the connection usable', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, path: string, body?: Buffer) =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const req = httpRequest(`${server.url}${path}`, { method, agent, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' } }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        });
        req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path} hung`)));
        req.on('error', reject);
        req.end(body);
      });
    try {
      const tooLarge = await send('POST', '/access_codes/create', Buffer.alloc(11 * 1024 * 1024, 0x20));
      expect(tooLarge.status).toBe(413);
      expect(JSON.parse(tooLarge.body)).toEqual(seamError('payload_too_large'));
      expect(tooLarge.headers['seam-request-id']).toEqual(expect.any(String));
      const next = await send('GET', '/devices/list');
      expect(next.status).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});
