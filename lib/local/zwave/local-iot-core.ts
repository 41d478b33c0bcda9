import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { Aedes, type Client } from 'aedes';
import { applyUpdate, getDocument, isObject, type JsonObject, ShadowRequestError, type StoredShadow, type UpdateRequest } from '../../hub-contract/shadow-state';

/**
 * A local stand-in for AWS IoT Core: an MQTT broker (aedes) with the Device Shadow service's
 * topics and rules, the policy Latchkey gives each hub (a client may only connect as a known
 * thing and touch its own topics), presence events, and an in-process data plane for the
 * Latchkey side (what UpdateThingShadow / GetThingShadow are in AWS).
 */
export interface LocalIotCore {
  /** `mqtt://127.0.0.1:<port>` */
  url: string;
  /** Lets a hub connect (IoT Core: a thing with a certificate attached). */
  registerThing(thingName: string): void;
  getThingShadow(thingName: string, shadowName: string): JsonObject;
  /** The stored shadow as is (local mode seeds mock locks with what they held). */
  storedShadow(thingName: string, shadowName: string): StoredShadow | undefined;
  updateThingShadow(thingName: string, shadowName: string, request: UpdateRequest): JsonObject;
  listNamedShadows(thingName: string): string[];
  isConnected(clientId: string): boolean;
  /** Cuts a client off (dropped now, refused until reachable again), as a network outage would. */
  setReachable(clientId: string, reachable: boolean): Promise<void>;
  /** What an IoT rule on `.../update/documents` receives. */
  onDocuments(listener: (thingName: string, shadowName: string, documents: JsonObject) => void): void;
  onPresence(listener: (clientId: string, connected: boolean) => void): void;
  /** Messages hubs publish on `latchkey/hubs/<thing>/...`. */
  onHubMessage(listener: (thingName: string, topic: string, payload: unknown) => void): void;
  close(): Promise<void>;
}

const shadowRequest = /^\$aws\/things\/([^/]+)\/shadow\/name\/([^/]+)\/(update|get|delete)$/;

/** Reads shadows kept by an earlier run; a file that does not parse is ignored (local data only). */
function loadShadows(file: string | undefined): Map<string, StoredShadow> {
  const out = new Map<string, StoredShadow>();
  if (file === undefined || !existsSync(file)) return out;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!isObject(parsed)) return out;
    for (const [key, value] of Object.entries(parsed)) {
      if (isObject(value) && isObject(value.state) && isObject(value.metadata) && typeof value.version === 'number') {
        const { desired, reported } = value.state;
        const meta = value.metadata;
        out.set(key, {
          state: { ...(isObject(desired) && { desired }), ...(isObject(reported) && { reported }) },
          metadata: { ...(isObject(meta.desired) && { desired: meta.desired }), ...(isObject(meta.reported) && { reported: meta.reported }) },
          version: value.version,
        });
      }
    }
  } catch {
    return new Map();
  }
  return out;
}

export interface LocalIotCoreOptions {
  port?: number;
  now?: () => number;
  /** Keeps shadows in this file across restarts (local mode); in memory without it. */
  file?: string;
}

export async function startLocalIotCore(options: LocalIotCoreOptions = {}): Promise<LocalIotCore> {
  const now = options.now ?? Date.now;
  const seconds = () => Math.floor(now() / 1000);
  const shadows = loadShadows(options.file);
  const save = () => {
    if (options.file !== undefined) writeFileSync(options.file, JSON.stringify(Object.fromEntries(shadows)));
  };
  const things = new Set<string>();
  const unreachable = new Set<string>();
  const clients = new Map<string, Client>();
  const events = new EventEmitter();
  const key = (thing: string, shadow: string) => `${thing}/${shadow}`;
  const ownsTopic = (clientId: string, topic: string) => topic.startsWith(`$aws/things/${clientId}/`) || topic.startsWith(`latchkey/hubs/${clientId}/`);

  const broker = await Aedes.createBroker({
    authenticate(client, _username, _password, done) {
      if (things.has(client.id) && !unreachable.has(client.id)) return done(null, true);
      done(Object.assign(new Error('Unknown thing'), { returnCode: 2 as const }), false);
    },
    authorizePublish(client, packet, done) {
      if (client === null) return done(null);
      if (!ownsTopic(client.id, packet.topic)) return done(new Error('Not authorized'));
      done(null);
    },
    authorizeSubscribe(client, subscription, done) {
      done(null, ownsTopic(client.id, subscription.topic) ? subscription : null);
    },
  });

  const publish = (topic: string, body: JsonObject) =>
    new Promise<void>((resolve) => broker.publish({ cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(body)), qos: 1, retain: false, dup: false }, () => resolve()));

  const update = (thing: string, shadow: string, request: UpdateRequest): JsonObject => {
    const outcome = applyUpdate(shadows.get(key(thing, shadow)), request, seconds());
    shadows.set(key(thing, shadow), outcome.next);
    save();
    const prefix = `$aws/things/${thing}/shadow/name/${shadow}/update`;
    void publish(`${prefix}/accepted`, outcome.accepted)
      .then(() => outcome.delta && publish(`${prefix}/delta`, outcome.delta))
      .then(() => publish(`${prefix}/documents`, outcome.documents));
    events.emit('documents', thing, shadow, outcome.documents);
    return outcome.accepted;
  };
  const get = (thing: string, shadow: string, clientToken?: string): JsonObject => {
    const stored = shadows.get(key(thing, shadow));
    if (!stored) throw new ShadowRequestError(404, `No shadow exists with name: '${shadow}'`);
    return getDocument(stored, seconds(), clientToken);
  };

  broker.on('publish', (packet, client) => {
    if (!client) return;
    const match = shadowRequest.exec(packet.topic);
    if (match?.[1] && match[2] && match[3]) {
      const [, thing, shadow, op] = match;
      let body: unknown = {};
      try {
        body = packet.payload.length === 0 ? {} : JSON.parse(packet.payload.toString());
      } catch {
        body = undefined;
      }
      const clientToken = isObject(body) && typeof body.clientToken === 'string' ? body.clientToken : undefined;
      const topic = packet.topic;
      try {
        if (!isObject(body)) throw new ShadowRequestError(400, 'Payload contains invalid json');
        if (op === 'update') update(thing, shadow, { state: isObject(body.state) ? body.state : {}, version: typeof body.version === 'number' ? body.version : undefined, clientToken });
        else if (op === 'get') void publish(`${topic}/accepted`, get(thing, shadow, clientToken));
        else {
          const existing = shadows.get(key(thing, shadow));
          if (!existing) throw new ShadowRequestError(404, `No shadow exists with name: '${shadow}'`);
          shadows.delete(key(thing, shadow));
          save();
          void publish(`${topic}/accepted`, { version: existing.version, timestamp: seconds(), ...(clientToken ? { clientToken } : {}) });
        }
      } catch (error) {
        if (!(error instanceof ShadowRequestError)) throw error;
        void publish(`${topic}/rejected`, { code: error.code, message: error.message, timestamp: seconds(), ...(clientToken ? { clientToken } : {}) });
      }
      return;
    }
    const hub = /^latchkey\/hubs\/([^/]+)\//.exec(packet.topic);
    if (hub?.[1]) {
      let payload: unknown;
      try {
        payload = JSON.parse(packet.payload.toString());
      } catch {
        return;
      }
      events.emit('hub', hub[1], packet.topic, payload);
    }
  });
  broker.on('clientReady', (client) => {
    clients.set(client.id, client);
    events.emit('presence', client.id, true);
    void publish(`$aws/events/presence/connected/${client.id}`, { clientId: client.id, eventType: 'connected', timestamp: now() });
  });
  broker.on('clientDisconnect', (client) => {
    if (clients.get(client.id) === client) clients.delete(client.id);
    events.emit('presence', client.id, false);
    void publish(`$aws/events/presence/disconnected/${client.id}`, { clientId: client.id, eventType: 'disconnected', timestamp: now() });
  });

  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `mqtt://127.0.0.1:${port}`,
    registerThing: (thingName) => void things.add(thingName),
    getThingShadow: (thing, shadow) => get(thing, shadow),
    storedShadow: (thing, shadow) => shadows.get(key(thing, shadow)),
    updateThingShadow: (thing, shadow, request) => update(thing, shadow, request),
    listNamedShadows: (thing) => [...shadows.keys()].filter((k) => k.startsWith(`${thing}/`)).map((k) => k.slice(thing.length + 1)),
    isConnected: (clientId) => clients.has(clientId),
    setReachable: (clientId, reachable) =>
      new Promise<void>((resolve) => {
        if (reachable) {
          unreachable.delete(clientId);
          return resolve();
        }
        unreachable.add(clientId);
        const client = clients.get(clientId);
        if (!client) return resolve();
        broker.once('clientDisconnect', () => resolve());
        client.conn.destroy();
      }),
    onDocuments: (listener) => void events.on('documents', listener),
    onPresence: (listener) => void events.on('presence', listener),
    onHubMessage: (listener) => void events.on('hub', listener),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of clients.values()) client.conn.destroy();
        broker.close(() => server.close(() => resolve()));
      }),
  };
}
