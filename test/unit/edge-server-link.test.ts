import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { startServerLink, ZwaveServerError } from '../../edge/server-link';
import type { LinkEvent, ZwaveLink } from '../../edge/zwave-link';

/*
 * The agent's side of zwave-js-server's protocol, against a scripted server on loopback (the
 * real server over zwave-js's mock network runs in test/e2e/zwave-server.test.ts). This covers
 * what the e2e test cannot steer: old servers, failed commands, value events, reconnects.
 */

type Message = { messageId: string; command: string; [key: string]: unknown };
type Answer = { result: unknown } | { error: { errorCode: string; message?: string; zwaveErrorCode?: number } } | undefined;

const lockNode = {
  nodeId: 2,
  ready: true,
  status: 4,
  name: 'Front',
  label: 'BE469',
  deviceConfig: { manufacturer: 'Allegion', description: 'Touchscreen Deadbolt' },
  endpoints: [{ index: 0, commandClasses: [{ id: 0x63 }, { id: 0x71 }] }],
};
const otherNode = { nodeId: 3, ready: true, status: 4, endpoints: [{ index: 0, commandClasses: [{ id: 0x25 }] }] };

async function fakeServer(options: { maxSchemaVersion?: number; answer?: (m: Message, socket: WebSocket) => Answer } = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss.once('listening', resolve));
  const received: Message[] = [];
  const sockets: WebSocket[] = [];
  wss.on('connection', (socket) => {
    sockets.push(socket);
    socket.send(JSON.stringify({ type: 'version', driverVersion: '15.29.0', serverVersion: '3.10.2', homeId: 1, minSchemaVersion: 0, maxSchemaVersion: options.maxSchemaVersion ?? 50 }));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Message;
      received.push(message);
      const answer =
        options.answer?.(message, socket) ??
        (message.command === 'start_listening'
          ? { result: { state: { nodes: [lockNode, otherNode] } } }
          : message.command === 'node.get_value'
            ? { result: { value: (message.valueId as { property: string }).property === 'supportedUsers' ? 6 : '0123456789' } }
            : { result: {} });
      if (answer === undefined) return;
      socket.send(
        JSON.stringify(
          'error' in answer
            ? { type: 'result', messageId: message.messageId, success: false, ...answer.error }
            : { type: 'result', messageId: message.messageId, success: true, result: answer.result },
        ),
      );
    });
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    received,
    sockets,
    event: (event: Record<string, unknown>) => {
      for (const s of sockets) s.send(JSON.stringify({ type: 'event', event: { source: 'node', ...event } }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.terminate();
        wss.close(() => resolve());
      }),
  };
}

const links: ZwaveLink[] = [];
const servers: Awaited<ReturnType<typeof fakeServer>>[] = [];
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const open = async (server: Awaited<ReturnType<typeof fakeServer>>, reconnectMs = 20) => {
  servers.push(server);
  const link = await startServerLink({ url: server.url, reconnectMs });
  links.push(link);
  const events: LinkEvent[] = [];
  link.onEvent((e) => events.push(e));
  return { link, events };
};
const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

test('picks schema 44 (the server goes to 50), listens, and lists only nodes with User Code, sized from the cached value', async () => {
  const server = await fakeServer();
  const { link } = await open(server);
  expect(server.received.slice(0, 2).map((m) => [m.command, m.schemaVersion])).toEqual([
    ['set_api_schema', 44],
    ['start_listening', undefined],
  ]);
  expect(link.locks()).toEqual([{ nodeId: 2, name: 'Front', manufacturer: 'Allegion', model: 'BE469', capacity: 6, codeChars: '0123456789', status: 'alive' }]);
});

test("uses an older server's own schema, and refuses one older than 32", async () => {
  const older = await fakeServer({ maxSchemaVersion: 35 });
  await open(older);
  expect(older.received[0]).toMatchObject({ command: 'set_api_schema', schemaVersion: 35 });
  const tooOld = await fakeServer({ maxSchemaVersion: 20 });
  servers.push(tooOld);
  await expect(startServerLink({ url: tooOld.url })).rejects.toThrow(/schema 20 at most; the agent needs 32/);
});

test('a lock whose slot count is not cached and that does not answer is left out, not the whole network', async () => {
  const server = await fakeServer({
    answer: (m) =>
      m.command === 'start_listening'
        ? { result: { state: { nodes: [lockNode, { ...lockNode, nodeId: 4 }] } } }
        : m.command === 'node.get_value' && m.nodeId === 4
          ? { result: {} }
          : m.command === 'endpoint.invoke_cc_api'
            ? { error: { errorCode: 'zwave_error', zwaveErrorCode: 202 } }
            : undefined,
  });
  const { link } = await open(server);
  expect(link.locks().map((l) => l.nodeId)).toEqual([2]);
});

test('an unreachable server fails the start with its address', async () => {
  await expect(startServerLink({ url: 'ws://127.0.0.1:1' })).rejects.toThrow('Could not reach the Z-Wave JS server at ws://127.0.0.1:1');
});

test('slots are read and written by User Code CC calls to the lock, codes as strings or bytes', async () => {
  const answers: Answer[] = [
    { result: { response: { userIdStatus: 1, userCode: '4821' } } },
    { result: { response: { userIdStatus: 0, userCode: '' } } },
    { result: { response: { userIdStatus: 2, userCode: { type: 'Buffer', data: [0x39, 0x30, 0x32, 0x31] } } } },
  ];
  const server = await fakeServer({ answer: (m) => (m.command === 'endpoint.invoke_cc_api' && m.methodName === 'get' ? answers.shift() : undefined) });
  const { link } = await open(server);
  expect(await link.readSlot(2, 1)).toBe('4821');
  expect(await link.readSlot(2, 2)).toBe('');
  expect(await link.readSlot(2, 3)).toBe('9021');
  await link.writeSlot(2, 4, '7340');
  await link.writeSlot(2, 4, '');
  const calls = server.received
    .filter((m) => m.command === 'endpoint.invoke_cc_api')
    .map(({ nodeId, endpoint, commandClass, methodName, args }) => ({ nodeId, endpoint, commandClass, methodName, args }));
  expect(calls).toEqual([
    { nodeId: 2, endpoint: 0, commandClass: 0x63, methodName: 'get', args: [1] },
    { nodeId: 2, endpoint: 0, commandClass: 0x63, methodName: 'get', args: [2] },
    { nodeId: 2, endpoint: 0, commandClass: 0x63, methodName: 'get', args: [3] },
    { nodeId: 2, endpoint: 0, commandClass: 0x63, methodName: 'set', args: [4, 1, '7340'] },
    { nodeId: 2, endpoint: 0, commandClass: 0x63, methodName: 'clear', args: [4] },
  ]);
  await expect(link.readSlot(3, 1)).rejects.toThrow('Node 3 is not a User Code lock');
});

test('the User Code Checksum is asked of a lock whose capabilities say it has one; of another, nothing is sent', async () => {
  const server = await fakeServer({
    answer: (m) =>
      m.command === 'start_listening'
        ? { result: { state: { nodes: [lockNode, { ...lockNode, nodeId: 4 }] } } }
        : m.command === 'node.get_value' && (m.valueId as { property: string }).property === 'supportsUserCodeChecksum'
          ? { result: { value: m.nodeId === 2 } }
          : m.command === 'endpoint.invoke_cc_api' && m.methodName === 'getUserCodeChecksum'
            ? { result: { response: 0xbeef } }
            : undefined,
  });
  const { link } = await open(server);
  expect(await link.userCodeChecksum?.(2)).toBe(0xbeef);
  expect(await link.userCodeChecksum?.(4)).toBeUndefined();
  const asked = server.received.filter((m) => m.command === 'endpoint.invoke_cc_api').map(({ nodeId, methodName, args }) => ({ nodeId, methodName, args }));
  expect(asked).toEqual([{ nodeId: 2, methodName: 'getUserCodeChecksum', args: [] }]);
  await expect(link.userCodeChecksum?.(3)).rejects.toThrow('Node 3 is not a User Code lock');
});

test("a failed command names the server's error codes, never its message (which may quote the PIN)", async () => {
  const server = await fakeServer({
    answer: (m) => (m.command === 'endpoint.invoke_cc_api' ? { error: { errorCode: 'zwave_error', zwaveErrorCode: 5, message: 'code 7340 is invalid' } } : undefined),
  });
  const { link } = await open(server);
  const error: unknown = await link.writeSlot(2, 1, '7340').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ZwaveServerError);
  expect(String(error)).toContain('endpoint.invoke_cc_api failed: zwave_error (zwave-js error 5)');
  expect(String(error)).not.toContain('7340');
});

test("keypad notifications and other clients' value changes become link events; the link's own reads and writes do not", async () => {
  const server = await fakeServer({
    answer: (m, socket) => {
      if (m.command !== 'endpoint.invoke_cc_api') return undefined;
      // The value event of the link's own call arrives before its result, as zwave-js emits it while handling the report.
      socket.send(
        JSON.stringify({
          type: 'event',
          event: { source: 'node', event: 'value updated', nodeId: 2, args: { commandClass: 0x63, endpoint: 0, property: 'userCode', propertyKey: 5, prevValue: '', newValue: '1111' } },
        }),
      );
      return { result: { response: { userIdStatus: 1, userCode: '1111' } } };
    },
  });
  const { link, events } = await open(server);
  await link.writeSlot(2, 5, '1111');
  await link.readSlot(2, 5);
  server.event({ event: 'value updated', nodeId: 2, args: { commandClass: 0x63, endpoint: 0, property: 'userCode', propertyKey: 5, prevValue: '1111', newValue: '1111' } });
  server.event({ event: 'value updated', nodeId: 2, args: { commandClass: 0x63, endpoint: 0, property: 'userIdStatus', propertyKey: 6, prevValue: 0, newValue: 1 } });
  server.event({ event: 'value updated', nodeId: 2, args: { commandClass: 0x25, endpoint: 0, property: 'currentValue', prevValue: 0, newValue: 1 } });
  server.event({
    event: 'notification',
    nodeId: 2,
    endpointIndex: 0,
    ccId: 0x71,
    args: { type: 6, event: 0x0e, label: 'Access Control', eventLabel: 'New user code added', parameters: { userId: 3 } },
  });
  server.event({
    event: 'notification',
    nodeId: 2,
    endpointIndex: 0,
    ccId: 0x71,
    args: { type: 6, event: 0x06, label: 'Access Control', eventLabel: 'Keypad unlock operation', parameters: { userId: 3 } },
  });
  server.event({ event: 'dead', nodeId: 2, oldStatus: 4 });
  await waitFor(() => events.length === 4);
  expect(events).toEqual([
    { type: 'slot_changed', nodeId: 2, slot: 6 },
    { type: 'slot_changed', nodeId: 2, slot: 3 },
    { type: 'keypad_unlock', nodeId: 2, slot: 3 },
    { type: 'status', nodeId: 2, status: 'dead' },
  ]);
  expect(link.locks()[0]?.status).toBe('dead');
});

test('a server that drops the connection is dialled again, and every lock is announced ready so the agent resyncs it', async () => {
  const server = await fakeServer();
  const { link, events } = await open(server);
  const first = server.sockets[0];
  first?.terminate();
  await expect(link.readSlot(2, 1)).rejects.toBeInstanceOf(ZwaveServerError);
  await waitFor(() => events.some((e) => e.type === 'lock_ready'));
  expect(events).toEqual([
    { type: 'status', nodeId: 2, status: 'alive' },
    { type: 'lock_ready', nodeId: 2 },
  ]);
  expect(server.received.filter((m) => m.command === 'start_listening')).toHaveLength(2);
});
