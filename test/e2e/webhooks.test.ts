import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runInThisContext } from 'node:vm';
import { type E2eServer, startE2eServer } from '../support/e2e-server';
import { seamWebhook } from '../support/seam-webhook';
import { pollUntil } from './poll';

/*
 * Webhooks out, end to end: a webhook made with the official client, a real HTTP receiver on
 * localhost that verifies every request with @seamapi/webhook as Seam's users do, and the
 * local server's in-process bus and delivery queue running the same handlers as AWS.
 */
const nodeProcess = runInThisContext('process') as NodeJS.Process;
const nodeRequire = nodeProcess.getBuiltinModule('node:module').createRequire(__filename);
type Sdk = typeof import('seam-http-v2');

interface Delivery {
  body: string;
  headers: IncomingHttpHeaders;
}

let server: E2eServer;
let receiver: Server;
let receiverUrl: string;
const deliveries: Delivery[] = [];
let failuresToAnswer = 0;

beforeAll(async () => {
  server = await startE2eServer();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      deliveries.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.writeHead(failuresToAnswer-- > 0 ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/seam`;
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

it("delivers the workspace's events as Svix-signed Seam events that @seamapi/webhook verifies", async () => {
  const { SeamHttp } = nodeRequire('seam-http-v2') as Sdk;
  const seam = new SeamHttp({ apiKey: server.apiKey, endpoint: server.url });
  const webhook = await seam.webhooks.create({ url: receiverUrl, event_types: ['access_code.created', 'access_code.set_on_device'] });
  expect(webhook.secret).toMatch(/^whsec_/);
  expect((await seam.webhooks.get({ webhook_id: webhook.webhook_id })).secret).toBe(webhook.secret);
  expect(await seam.webhooks.list()).toEqual([{ webhook_id: webhook.webhook_id, url: receiverUrl, event_types: ['access_code.created', 'access_code.set_on_device'] }]);

  const [lock] = await seam.devices.list();
  if (!lock) throw new Error('no sandbox lock');
  failuresToAnswer = 1;
  const code = await seam.accessCodes.create({ device_id: lock.device_id, name: 'Webhook guest' });

  const { SeamWebhook } = seamWebhook();
  const verifier = new SeamWebhook(webhook.secret ?? '');
  const verifiedTypes = () =>
    deliveries
      .map((d) => verifier.verify(d.body, Object.fromEntries(Object.entries(d.headers).map(([k, v]) => [k, String(v)]))))
      .filter((e) => 'access_code_id' in e && e.access_code_id === code.access_code_id);
  // The first request is answered 503; its retry 5 s later, under the same message id, gets through.
  const seen = await pollUntil(
    'created and set_on_device delivered, and the refused one again',
    async () => verifiedTypes().map((e) => e.event_type),
    (types) => types.includes('access_code.created') && types.includes('access_code.set_on_device') && types.length >= 3,
    { timeoutMs: 30_000 },
  );
  expect(seen).not.toContain('access_code.changed');
  const [refused, ...later] = deliveries;
  expect(later.filter((d) => d.headers['svix-id'] === refused?.headers['svix-id'])).toHaveLength(1);
  expect(later.find((d) => d.headers['svix-id'] === refused?.headers['svix-id'])?.body).toBe(refused?.body);

  await seam.webhooks.update({ webhook_id: webhook.webhook_id, event_types: ['access_code.deleted'] });
  await seam.webhooks.delete({ webhook_id: webhook.webhook_id });
  expect(await seam.webhooks.list()).toEqual([]);
}, 40_000);
