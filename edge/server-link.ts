import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import * as z from 'zod';
import { accessControlEvent, type LinkEvent, type LockNode, type LockStatus, type ZwaveLink } from './zwave-link';

/**
 * The Z-Wave network through a Z-Wave JS server that already owns the controller (Home
 * Assistant's Z-Wave JS add-on, Z-Wave JS UI): its WebSocket protocol, as zwave-js-server
 * defines it. After the `version` greeting the client picks a schema (`set_api_schema`) and
 * `start_listening` answers the whole network state; then commands go out with a messageId and
 * node events come in. User Code slots are read and written through `endpoint.invoke_cc_api`,
 * which sends the command to the lock (not the server's cache), so every write is read back
 * from the lock itself, as with the driver in this process.
 */

/** The schema this client is written against; an older server's (from 32 on) is used as is. */
const wantedSchema = 44;
/** Node events carry `endpointIndex` and notifications their `args` from schema 32. */
const oldestSchema = 32;
const userCodeCC = 0x63;
const notificationCC = 0x71;
const commandTimeoutMs = 60_000;

export interface ServerLinkOptions {
  /** ws://host:3000 (the add-on's and Z-Wave JS UI's default port). */
  url: string;
  /** How soon to dial the server again after losing it. */
  reconnectMs?: number;
  onError?: (error: Error) => void;
  onConnect?: (info: { serverVersion: string; driverVersion: string; schemaVersion: number }) => void;
}

/** A failed command: the server's error code and zwave-js's, never the server's message text (it may quote arguments). */
export class ZwaveServerError extends Error {
  override name = 'ZwaveServerError';
  constructor(
    readonly command: string,
    readonly errorCode: string,
    readonly zwaveErrorCode?: number,
  ) {
    super(`${command} failed: ${errorCode}${zwaveErrorCode === undefined ? '' : ` (zwave-js error ${zwaveErrorCode})`}`);
  }
}

const versionSchema = z.object({ type: z.literal('version'), serverVersion: z.string(), driverVersion: z.string(), maxSchemaVersion: z.number(), minSchemaVersion: z.number() });
const resultSchema = z.object({
  type: z.literal('result'),
  messageId: z.string(),
  success: z.boolean(),
  result: z.unknown().optional(),
  errorCode: z.union([z.string(), z.number()]).optional(),
  zwaveErrorCode: z.number().optional(),
});
const eventSchema = z.object({ type: z.literal('event'), event: z.looseObject({ source: z.string(), event: z.string(), nodeId: z.number().optional() }) });

const nodeStateSchema = z.looseObject({
  nodeId: z.number(),
  ready: z.boolean().optional(),
  status: z.number().optional(),
  name: z.string().optional(),
  label: z.string().optional(),
  manufacturer: z.string().optional(),
  deviceConfig: z.looseObject({ manufacturer: z.string().optional(), description: z.string().optional() }).optional(),
  endpoints: z.array(z.looseObject({ index: z.number(), commandClasses: z.array(z.looseObject({ id: z.number() })).optional() })).optional(),
});
type NodeState = z.infer<typeof nodeStateSchema>;
const listeningSchema = z.object({ state: z.looseObject({ nodes: z.array(nodeStateSchema) }) });
const invokeResultSchema = z.object({ response: z.unknown().optional() });
const valueResultSchema = z.object({ value: z.unknown().optional() });
const slotAnswerSchema = z.looseObject({ userIdStatus: z.number(), userCode: z.unknown().optional() });
const valueEventSchema = z.object({
  nodeId: z.number(),
  args: z.looseObject({
    commandClass: z.number(),
    endpoint: z.number().optional(),
    property: z.union([z.string(), z.number()]),
    propertyKey: z.union([z.string(), z.number()]).optional(),
    newValue: z.unknown().optional(),
    prevValue: z.unknown().optional(),
  }),
});
const notificationEventSchema = z.object({
  nodeId: z.number(),
  ccId: z.number(),
  args: z.looseObject({ type: z.number().optional(), event: z.number().optional(), parameters: z.unknown().optional() }),
});

const statusOf = (status: number | undefined): LockStatus => (status === 3 ? 'dead' : status === 1 ? 'asleep' : status === 2 || status === 4 ? 'alive' : 'unknown');

/** A user code as JSON carries it: a string, or bytes (`{type:'Buffer',data}` or a Uint8Array's index object). */
function codeText(code: unknown): string {
  if (typeof code === 'string') return code;
  if (typeof code !== 'object' || code === null) return '';
  const bytes = 'data' in code && Array.isArray(code.data) ? code.data : Object.values(code);
  return Buffer.from(bytes.filter((b): b is number => typeof b === 'number')).toString('ascii');
}

const hasUserCode = (node: NodeState) => node.endpoints?.some((e) => e.index === 0 && e.commandClasses?.some((cc) => cc.id === userCodeCC)) ?? false;

/** Connects to the server and resolves once the locks it knows (and has interviewed) are described. */
export async function startServerLink(options: ServerLinkOptions): Promise<ZwaveLink> {
  const events = new EventEmitter();
  const emit = (event: LinkEvent) => events.emit('event', event);
  const locks = new Map<number, LockNode>();
  /** Locks whose capabilities report (User Code v2) says they answer a User Code Checksum Get. */
  const checksums = new Set<number>();
  const pending = new Map<string, { command: string; resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  /** Slots this link is reading or writing: the value events they cause are the link's own, not a change at the lock. */
  const busy = new Set<string>();
  let socket: WebSocket | undefined;
  let nextId = 1;
  let closed = false;
  /** Set once the first connection is up: only then does a lost connection get dialled again (a failed start is the caller's to retry). */
  let started = false;

  const call = (command: string, args: Record<string, unknown> = {}): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const ws = socket;
      if (!ws || ws.readyState !== WebSocket.OPEN) return reject(new ZwaveServerError(command, 'not_connected'));
      const messageId = String(nextId++);
      const timer = setTimeout(() => {
        pending.delete(messageId);
        reject(new ZwaveServerError(command, 'timeout'));
      }, commandTimeoutMs);
      pending.set(messageId, { command, resolve, reject, timer });
      ws.send(JSON.stringify({ messageId, command, ...args }), (error) => {
        if (!error) return;
        clearTimeout(timer);
        pending.delete(messageId);
        reject(new ZwaveServerError(command, 'send_failed'));
      });
    });
  const invoke = async (nodeId: number, methodName: string, args: unknown[]) =>
    invokeResultSchema.parse(await call('endpoint.invoke_cc_api', { nodeId, endpoint: 0, commandClass: userCodeCC, methodName, args })).response;

  /** What the agent needs to know about a lock; the slot count is zwave-js's cached value, or asked of the lock. */
  const describe = async (node: NodeState): Promise<void> => {
    if (!node.ready || !hasUserCode(node)) return;
    const cached = async (property: string) => valueResultSchema.parse(await call('node.get_value', { nodeId: node.nodeId, valueId: { commandClass: userCodeCC, endpoint: 0, property } })).value;
    let capacity = await cached('supportedUsers');
    if (typeof capacity !== 'number') capacity = await invoke(node.nodeId, 'getUsersCount', []);
    const chars = await cached('supportedASCIIChars');
    if ((await cached('supportsUserCodeChecksum')) === true) checksums.add(node.nodeId);
    else checksums.delete(node.nodeId);
    locks.set(node.nodeId, {
      nodeId: node.nodeId,
      name: node.name || node.label || `Lock ${node.nodeId}`,
      manufacturer: node.manufacturer ?? node.deviceConfig?.manufacturer ?? 'Unknown',
      model: node.label ?? node.deviceConfig?.description ?? 'Z-Wave lock',
      capacity: typeof capacity === 'number' ? capacity : 0,
      ...(typeof chars === 'string' && chars !== '' ? { codeChars: chars } : {}),
      status: statusOf(node.status),
    });
  };
  const describeAndAnnounce = (node: NodeState) =>
    describe(node).then(
      () => locks.has(node.nodeId) && emit({ type: 'lock_ready', nodeId: node.nodeId }),
      (error: unknown) => options.onError?.(error instanceof Error ? error : new Error('lock not described')),
    );

  const onEvent = (event: z.infer<typeof eventSchema>['event']) => {
    if (event.source !== 'node' || event.nodeId === undefined) return;
    const nodeId = event.nodeId;
    switch (event.event) {
      case 'ready': {
        const node = nodeStateSchema.safeParse(event.nodeState);
        if (node.success) void describeAndAnnounce(node.data);
        return;
      }
      case 'dead':
      case 'alive':
      case 'sleep':
      case 'wake up': {
        const status: LockStatus = event.event === 'dead' ? 'dead' : event.event === 'sleep' ? 'asleep' : 'alive';
        const lock = locks.get(nodeId);
        if (!lock) return;
        lock.status = status;
        emit({ type: 'status', nodeId, status });
        return;
      }
      case 'value updated':
      case 'value added':
      case 'value removed': {
        // A slot that changed without this link touching it: programmed at the keypad or by another app.
        const parsed = valueEventSchema.safeParse(event);
        if (!parsed.success || !locks.has(nodeId)) return;
        const { args } = parsed.data;
        if (args.commandClass !== userCodeCC || (args.endpoint ?? 0) !== 0 || (args.property !== 'userCode' && args.property !== 'userIdStatus')) return;
        if (typeof args.propertyKey !== 'number' || busy.has(`${nodeId}:${args.propertyKey}`)) return;
        if (event.event === 'value updated' && JSON.stringify(args.newValue) === JSON.stringify(args.prevValue)) return;
        emit({ type: 'slot_changed', nodeId, slot: args.propertyKey });
        return;
      }
      case 'notification': {
        const parsed = notificationEventSchema.safeParse(event);
        if (!parsed.success || parsed.data.ccId !== notificationCC || parsed.data.args.type === undefined || parsed.data.args.event === undefined) return;
        const linkEvent = accessControlEvent(nodeId, parsed.data.args.type, parsed.data.args.event, parsed.data.args.parameters);
        if (linkEvent) emit(linkEvent);
        return;
      }
      default:
        return;
    }
  };

  /** One connection: greeting, schema, full state; rejects if any step fails. */
  const connect = () =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(options.url);
      let greeted = false;
      ws.on('message', (data) => {
        let message: unknown;
        try {
          message = JSON.parse(String(data));
        } catch {
          return;
        }
        const version = versionSchema.safeParse(message);
        if (version.success && !greeted) {
          greeted = true;
          const schemaVersion = Math.min(wantedSchema, version.data.maxSchemaVersion);
          if (schemaVersion < oldestSchema) {
            reject(new Error(`The Z-Wave JS server at ${options.url} speaks schema ${version.data.maxSchemaVersion} at most; the agent needs ${oldestSchema}`));
            ws.close();
            return;
          }
          socket = ws;
          void (async () => {
            await call('set_api_schema', { schemaVersion });
            const { state } = listeningSchema.parse(await call('start_listening'));
            for (const id of locks.keys()) if (!state.nodes.some((n) => n.nodeId === id && n.ready)) locks.delete(id);
            // A lock that cannot be described now (its slot count unknown and the lock not answering) is left out, not the whole network.
            await Promise.all(state.nodes.map((node) => describe(node).catch((error: unknown) => options.onError?.(error instanceof Error ? error : new Error('lock not described')))));
            options.onConnect?.({ serverVersion: version.data.serverVersion, driverVersion: version.data.driverVersion, schemaVersion });
          })().then(resolve, (error: unknown) => {
            reject(error instanceof Error ? error : new Error('start_listening failed'));
            ws.close();
          });
          return;
        }
        const result = resultSchema.safeParse(message);
        if (result.success) {
          const waiting = pending.get(result.data.messageId);
          if (!waiting) return;
          pending.delete(result.data.messageId);
          clearTimeout(waiting.timer);
          if (result.data.success) waiting.resolve(result.data.result);
          else waiting.reject(new ZwaveServerError(waiting.command, String(result.data.errorCode ?? 'unknown'), result.data.zwaveErrorCode));
          return;
        }
        const event = eventSchema.safeParse(message);
        if (event.success) onEvent(event.data.event);
      });
      ws.on('error', (error) => {
        if (!greeted) reject(new Error(`Could not reach the Z-Wave JS server at ${options.url} (${'code' in error && typeof error.code === 'string' ? error.code : error.name})`));
        else options.onError?.(error);
      });
      ws.on('close', () => {
        if (!greeted) reject(new Error(`The Z-Wave JS server at ${options.url} closed the connection`));
        if (socket !== ws) return;
        socket = undefined;
        for (const waiting of pending.values()) {
          clearTimeout(waiting.timer);
          waiting.reject(new ZwaveServerError(waiting.command, 'connection_closed'));
        }
        pending.clear();
        if (started && !closed && retry === undefined) reconnect();
      });
    });

  /** The server went away (Home Assistant restarting): dial until it is back, then every lock reports its status and counts as ready again, so the agent resyncs it. */
  let retry: NodeJS.Timeout | undefined;
  const reconnect = () => {
    retry = setTimeout(() => {
      retry = undefined;
      if (closed) return;
      connect().then(
        () => {
          for (const lock of locks.values()) {
            emit({ type: 'status', nodeId: lock.nodeId, status: lock.status });
            emit({ type: 'lock_ready', nodeId: lock.nodeId });
          }
        },
        (error: unknown) => {
          options.onError?.(error instanceof Error ? error : new Error('reconnect failed'));
          if (!closed && socket === undefined && retry === undefined) reconnect();
        },
      );
    }, options.reconnectMs ?? 5000);
  };

  await connect();
  started = true;

  const onSlot = async <T>(nodeId: number, slot: number, work: () => Promise<T>): Promise<T> => {
    if (!locks.has(nodeId)) throw new Error(`Node ${nodeId} is not a User Code lock`);
    const key = `${nodeId}:${slot}`;
    busy.add(key);
    try {
      return await work();
    } finally {
      busy.delete(key);
    }
  };

  return {
    locks: () => [...locks.values()].map((l) => ({ ...l })),
    readSlot: (nodeId, slot) =>
      onSlot(nodeId, slot, async () => {
        const answer = slotAnswerSchema.safeParse(await invoke(nodeId, 'get', [slot]));
        if (!answer.success) throw new Error(`Lock ${nodeId} did not answer for slot ${slot}`);
        // Enabled (1) or disabled (2): the slot holds a code.
        return answer.data.userIdStatus === 1 || answer.data.userIdStatus === 2 ? codeText(answer.data.userCode) : '';
      }),
    async userCodeChecksum(nodeId) {
      if (!locks.has(nodeId)) throw new Error(`Node ${nodeId} is not a User Code lock`);
      if (!checksums.has(nodeId)) return undefined;
      const checksum = await invoke(nodeId, 'getUserCodeChecksum', []);
      if (typeof checksum !== 'number') throw new Error(`Lock ${nodeId} did not answer for its user code checksum`);
      return checksum;
    },
    writeSlot: (nodeId, slot, code) => onSlot(nodeId, slot, async () => void (code === '' ? await invoke(nodeId, 'clear', [slot]) : await invoke(nodeId, 'set', [slot, 1, code]))),
    onEvent: (listener) => void events.on('event', listener),
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const ws = socket;
      if (!ws) return;
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close();
      });
    },
  };
}
