import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { hubEventsTopic, shadowTopic } from '../lib/hub-contract/shadow-documents';
import { isObject, type JsonObject } from '../lib/hub-contract/shadow-state';

/**
 * The agent's side of IoT Core: named shadows of its own thing over MQTT, request/response
 * matched by clientToken, deltas pushed to a listener. Dials out only.
 */
export interface ShadowClient {
  /** The shadow document, or undefined when the shadow does not exist yet. */
  get(shadowName: string): Promise<JsonObject | undefined>;
  /** Sends an update; resolves with `update/accepted`, rejects with the service's reason. */
  update(shadowName: string, state: JsonObject): Promise<JsonObject>;
  /** Subscribes to a shadow's responses and deltas. */
  watch(shadowName: string, onDelta: (delta: JsonObject) => void): Promise<void>;
  /** Publishes a hub event (keypad unlocks). */
  publishEvent(payload: JsonObject): Promise<void>;
  /** Called on every (re)connection, after subscriptions are restored. */
  onConnect(listener: () => void): void;
  isConnected(): boolean;
  close(): Promise<void>;
}

export interface ShadowClientOptions {
  /** `mqtts://<prefix>-ats.iot.<region>.amazonaws.com:8883`, or `mqtt://127.0.0.1:<port>` for the local broker. */
  url: string;
  thingName: string;
  /** PEM texts of the hub's certificate, its private key and the CA (Amazon Root CA 1). */
  tls?: { cert: string; key: string; ca?: string };
  requestTimeoutMs?: number;
  reconnectMs?: number;
}

export class ShadowRejectedError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'ShadowRejectedError';
  }
}

/** Starts dialing out; the client keeps reconnecting until closed, and tells `onConnect` each time it is through. */
export function connectShadowClient(options: ShadowClientOptions): ShadowClient {
  const { thingName } = options;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const pending = new Map<string, { resolve(body: JsonObject): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  const deltas = new Map<string, (delta: JsonObject) => void>();
  const events = new EventEmitter();
  const prefix = `$aws/things/${thingName}/shadow/name/`;

  const clientOptions: IClientOptions = {
    clientId: thingName,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: options.reconnectMs ?? 5000,
    connectTimeout: 15_000,
    ...(options.tls ?? {}),
  };
  const client: MqttClient = mqtt.connect(options.url, clientOptions);
  // Connection errors are retried by the client; the agent learns of them through isConnected().
  client.on('error', () => {});

  client.on('message', (topic, payload) => {
    if (!topic.startsWith(prefix)) return;
    const [shadowName, op, outcome] = topic.slice(prefix.length).split('/');
    let body: unknown;
    try {
      body = JSON.parse(payload.toString());
    } catch {
      return;
    }
    if (!isObject(body) || shadowName === undefined) return;
    if (op === 'update' && outcome === 'delta') {
      deltas.get(shadowName)?.(body);
      return;
    }
    const token = typeof body.clientToken === 'string' ? body.clientToken : undefined;
    const waiting = token === undefined ? undefined : pending.get(token);
    if (!waiting || token === undefined) return;
    pending.delete(token);
    clearTimeout(waiting.timer);
    if (outcome === 'accepted') waiting.resolve(body);
    else waiting.reject(new ShadowRejectedError(typeof body.code === 'number' ? body.code : 500, typeof body.message === 'string' ? body.message : 'rejected'));
  });

  const topicsOf = (shadowName: string) => [
    `${prefix}${shadowName}/update/delta`,
    `${prefix}${shadowName}/update/accepted`,
    `${prefix}${shadowName}/update/rejected`,
    `${prefix}${shadowName}/get/accepted`,
    `${prefix}${shadowName}/get/rejected`,
  ];

  // clean sessions lose subscriptions on reconnect: restore them before telling the agent.
  client.on('connect', () => {
    void Promise.all([...deltas.keys()].map((name) => client.subscribeAsync(topicsOf(name), { qos: 1 })))
      .then(() => events.emit('connect'))
      .catch(() => {});
  });

  const request = (shadowName: string, op: 'get' | 'update', body: JsonObject) =>
    new Promise<JsonObject>((resolve, reject) => {
      const clientToken = randomUUID();
      const timer = setTimeout(() => {
        pending.delete(clientToken);
        reject(new ShadowRejectedError(504, `No answer to ${op} of ${shadowName}`));
      }, timeoutMs);
      pending.set(clientToken, { resolve, reject, timer });
      client.publishAsync(shadowTopic(thingName, shadowName, op), JSON.stringify({ ...body, clientToken }), { qos: 1 }).catch((error: unknown) => {
        pending.delete(clientToken);
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error('publish failed'));
      });
    });

  return {
    async get(shadowName) {
      try {
        return await request(shadowName, 'get', {});
      } catch (error) {
        if (error instanceof ShadowRejectedError && error.code === 404) return undefined;
        throw error;
      }
    },
    update: (shadowName, state) => request(shadowName, 'update', { state }),
    async watch(shadowName, onDelta) {
      deltas.set(shadowName, onDelta);
      if (client.connected) await client.subscribeAsync(topicsOf(shadowName), { qos: 1 });
    },
    async publishEvent(payload) {
      await client.publishAsync(hubEventsTopic(thingName), JSON.stringify(payload), { qos: 1 });
    },
    onConnect: (listener) => void events.on('connect', listener),
    isConnected: () => client.connected,
    async close() {
      for (const waiting of pending.values()) clearTimeout(waiting.timer);
      pending.clear();
      await client.endAsync(true);
    },
  };
}
