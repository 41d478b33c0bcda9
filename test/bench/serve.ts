/**
 * One measured server in its own process, as `npm start` runs it. Prints one JSON line (`Served`) once it listens and
 * stays up until its parent closes stdin.
 *
 *   serve.ts latchkey   Latchkey's local server; store and endpoint from LATCHKEY_STORE and
 *                       LATCHKEY_DYNAMODB_ENDPOINT, as `npm start` takes them
 *   serve.ts fake       @seamapi/fake-seam-connect, seeded, on 127.0.0.1
 *   serve.ts floor      a bare node:http server that reads each request's body and answers a constant JSON
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Served } from './http-load';

async function serveLatchkey(): Promise<Served> {
  // Loaded only here, so that the fake's process holds none of Latchkey.
  const [{ startLocal }, { loadConfig }] = await Promise.all([import('../../lib/local/start'), import('../../lib/config')]);
  const running = await startLocal({
    config: loadConfig({ ...process.env, LATCHKEY_TABLE_NAME: process.env.LATCHKEY_TABLE_NAME ?? 'latchkey-bench' }),
    port: 0,
    // The poller's timer stays out of the measurement.
    tickSeconds: 3600,
  });
  if (running.apiKey === undefined) throw new Error('startLocal created no API key');
  // The lock with the most code slots, so that a burst of creates fits it as long as possible.
  const devices = await running.deps.devices.list(running.workspaceId, { limit: 100 });
  const roomiest = devices.reduce((a, b) => (b.device.properties.max_active_codes_supported > a.device.properties.max_active_codes_supported ? b : a));
  process.stdin.on('close', () => void running.stop().then(() => process.exit(0)));
  return { url: running.url, apiKey: running.apiKey, deviceId: roomiest.device.device_id, workspaceId: running.workspaceId };
}

async function serveFake(): Promise<Served> {
  const { createFake } = await import('@seamapi/fake-seam-connect');
  const fake = await createFake();
  const seed = await fake.seed();
  // The fake listens on every interface; move it to the loopback interface like Latchkey's server.
  const { server } = await fake.startServer({ port: 0 });
  const http: Server = server;
  await new Promise<void>((done) => http.close(() => done()));
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
  const { port } = http.address() as AddressInfo;
  process.stdin.on('close', () => process.exit(0));
  return { url: `http://127.0.0.1:${port}`, apiKey: seed.seam_apikey1_token, deviceId: seed.august_device_1, workspaceId: seed.seed_workspace_1 };
}

/** The floor: what any server must do for a get (read the request, answer JSON of an access code's size), and nothing else. */
async function serveFloor(): Promise<Served> {
  const { createServer } = await import('node:http');
  const body = JSON.stringify({
    access_code: {
      access_code_id: '00000000-0000-4000-8000-000000000000',
      device_id: '00000000-0000-4000-8000-000000000001',
      name: 'Bench',
      code: '97531864',
      type: 'ongoing',
      status: 'set',
      created_at: '2026-12-06T00:00:00.000Z',
      errors: [],
      warnings: [],
      is_managed: true,
    },
    ok: true,
  });
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  process.stdin.on('close', () => process.exit(0));
  return { url: `http://127.0.0.1:${port}`, apiKey: 'floor', deviceId: 'floor', workspaceId: 'floor' };
}

async function main() {
  const target = process.argv[2];
  if (target !== 'fake' && target !== 'latchkey' && target !== 'floor') {
    console.error('usage: serve.ts latchkey|fake|floor');
    process.exit(2);
  }
  const served = target === 'fake' ? await serveFake() : target === 'floor' ? await serveFloor() : await serveLatchkey();
  process.stdout.write(`${JSON.stringify(served)}\n`);
  process.stdin.resume();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
