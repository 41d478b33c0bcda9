import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpWebhookTransport, type Resolve } from '../../lib/adapters/http-webhook-transport';

let server: Server;
let port: number;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(req.url === '/moved' ? 302 : 204, req.url === '/moved' ? { location: 'http://127.0.0.1/' } : {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received.length = 0;
});

/** A resolver that answers each name from `answers`, one answer per call, and counts the calls. */
function rebinding(...answers: string[][]): Resolve & { calls: number } {
  const resolve = Object.assign(
    async (hostname: string) => {
      const answer = answers[Math.min(resolve.calls, answers.length - 1)] ?? [];
      resolve.calls++;
      if (!hostname.endsWith('.test')) throw new Error(`unexpected lookup of ${hostname}`);
      return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    },
    { calls: 0 },
  );
  return resolve;
}

const headers = { 'content-type': 'application/json', 'svix-id': 'msg_1' };

test('connects to the address it resolved and checked, once per attempt, with the name as Host', async () => {
  const resolve = rebinding(['127.0.0.1'], ['10.1.2.3']);
  const transport = httpWebhookTransport({ allowInternal: true, resolve });
  expect(await transport.post(`http://hooks.example.test:${port}/in`, headers, '{"a":1}', 5000)).toEqual({ status: 204 });
  expect(resolve.calls).toBe(1);
  expect(received).toEqual([{ headers: expect.objectContaining({ host: `hooks.example.test:${port}`, 'svix-id': 'msg_1', 'content-length': '7' }), body: '{"a":1}' }]);
});

test('a name that resolves to any internal address is refused before anything is sent', async () => {
  for (const answer of [['127.0.0.1'], ['203.0.113.7', '192.168.1.20'], ['::1'], ['::ffff:127.0.0.1'], ['169.254.169.254']]) {
    const resolve = rebinding(answer);
    const transport = httpWebhookTransport({ allowInternal: false, resolve });
    expect(await transport.post(`http://hooks.example.test:${port}/in`, headers, '{}', 5000)).toEqual({ failure: 'refused_address' });
    expect(resolve.calls).toBe(1);
  }
  expect(received).toEqual([]);
});

test('an internal address written in the URL is refused without a lookup', async () => {
  const resolve = rebinding(['203.0.113.7']);
  const transport = httpWebhookTransport({ allowInternal: false, resolve });
  for (const url of [`http://127.0.0.1:${port}/in`, `http://[::1]:${port}/in`, `https://[::ffff:a9fe:a9fe]/in`]) {
    expect(await transport.post(url, headers, '{}', 5000)).toEqual({ failure: 'refused_address' });
  }
  expect(resolve.calls).toBe(0);
  expect(received).toEqual([]);
});

test('a redirect is an answer, not followed; a name without addresses or another scheme is a network error', async () => {
  const transport = httpWebhookTransport({ allowInternal: true, resolve: rebinding(['127.0.0.1']) });
  expect(await transport.post(`http://hooks.example.test:${port}/moved`, headers, '{}', 5000)).toEqual({ status: 302 });
  expect(received).toHaveLength(1);
  expect(await httpWebhookTransport({ allowInternal: false, resolve: rebinding([]) }).post('http://gone.example.test/', headers, '{}', 5000)).toEqual({ failure: 'network_error' });
  expect(await transport.post('ftp://hooks.example.test/', headers, '{}', 5000)).toEqual({ failure: 'network_error' });
});

test('an endpoint that does not answer in time is a timeout', async () => {
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const transport = httpWebhookTransport({ allowInternal: true, resolve: rebinding(['127.0.0.1']) });
  try {
    expect(await transport.post(`http://slow.example.test:${(silent.address() as AddressInfo).port}/`, headers, '{}', 200)).toEqual({ failure: 'timeout' });
  } finally {
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});
