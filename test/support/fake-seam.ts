import { createHmac, randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, createServer, request as httpRequest } from 'node:http';
import { type AddressInfo, Server as NetServer } from 'node:net';
import { createFake } from '@seamapi/fake-seam-connect';

type Fake = Awaited<ReturnType<typeof createFake>>;

export interface FakeSeam {
  /** Where Latchkey reaches the upstream: the verb bridge in front of the fake. */
  endpoint: string;
  apiKey: string;
  workspaceId: string;
  connectedAccountId: string;
  fake: Fake;
  /** Method and path of every request that reached the bridge, oldest first. */
  requests: string[];
  /** The same requests with when each reached the bridge, by the clock given to startFakeSeam. */
  log: { request: string; at: number }[];
  /** Requests the bridge has taken and not yet answered. */
  readonly inFlight: number;
  stop(): Promise<void>;
}

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/**
 * Runs `start` with every `listen(port, callback)` bound to 127.0.0.1: the fake offers no host
 * option and would otherwise listen on every interface.
 */
async function loopbackOnly<T>(start: () => Promise<T>): Promise<T> {
  const original = NetServer.prototype.listen;
  NetServer.prototype.listen = function (this: NetServer, ...args: unknown[]) {
    const [port, callback] = args;
    if (typeof port === 'number' && typeof callback === 'function') return Reflect.apply(original, this, [port, '127.0.0.1', callback]) as NetServer;
    return Reflect.apply(original, this, args) as NetServer;
  } as typeof original;
  try {
    return await start();
  } finally {
    NetServer.prototype.listen = original;
  }
}

/**
 * Seam's own fake (`@seamapi/fake-seam-connect`) as the upstream Seam, in this process, on
 * loopback. The fake accepts only POST for update and delete, while the current official
 * client sends PATCH and DELETE with a query string (real Seam takes both): a small bridge in
 * front of it rewrites those verbs, so that the product's client runs unchanged.
 */
export async function startFakeSeam(options: { now?: () => Date } = {}): Promise<FakeSeam> {
  const now = options.now ?? (() => new Date());
  const fake = await createFake();
  const seed = await fake.seed();
  const fakePort = await loopbackOnly(() => fake.startServer()).then((server) => server.port);

  const requests: string[] = [];
  const log: { request: string; at: number }[] = [];
  let inFlight = 0;
  const bridge = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://bridge');
    requests.push(`${req.method} ${url.pathname}`);
    log.push({ request: `${req.method} ${url.pathname}`, at: now().getTime() });
    inFlight++;
    res.on('close', () => inFlight--);
    let body = await readBody(req);
    let method = req.method ?? 'GET';
    if (method === 'PATCH' || method === 'PUT') method = 'POST';
    if (method === 'DELETE') {
      method = 'POST';
      body = Buffer.from(JSON.stringify(Object.fromEntries(url.searchParams)));
      url.search = '';
    }
    const headers = { ...req.headers, 'content-length': String(body.length), 'content-type': 'application/json', host: `127.0.0.1:${fakePort}` };
    const upstream = httpRequest({ host: '127.0.0.1', port: fakePort, method, path: `${url.pathname}${url.search}`, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  });
  const bridgePort = await listen(bridge);

  return {
    endpoint: `http://127.0.0.1:${bridgePort}`,
    apiKey: seed.seam_apikey1_token,
    workspaceId: seed.seed_workspace_1,
    connectedAccountId: seed.john_connected_account_id,
    fake,
    requests,
    log,
    get inFlight() {
      return inFlight;
    },
    async stop() {
      bridge.closeAllConnections();
      await new Promise<void>((resolve) => bridge.close(() => resolve()));
      await fake.stopServer();
    },
  };
}

/** A webhook secret in Svix's format. */
export const newWebhookSecret = () => `whsec_${Buffer.from(randomUUID()).toString('base64')}`;

/** Headers that sign `body` as Svix (and so Seam) does, with `secret`. */
export function svixHeaders(secret: string, body: string, at = new Date()): Record<string, string> {
  const id = `msg_${randomUUID()}`;
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'svix-id': id, 'svix-timestamp': timestamp, 'svix-signature': `v1,${signature}`, 'content-type': 'application/json' };
}
