import * as z from 'zod';
import { startMockZwaveNetwork } from './mock-locks';
import { type MockZwaveServer, startMockZwaveServer } from './mock-server';

/**
 * A property's Z-Wave network without hardware, as a process of its own: mock User Code locks
 * on zwave-js's mock controller, served as a TCP serial line. The edge agent runs beside it as
 * another process (`edge/main.ts`, what `npm run edge` runs), so restarting the agent is a
 * process restart and the locks keep what they hold. zwave-js needs plain Node processes: it
 * loads its bindings with dynamic imports that `--conditions=import` and jest's module system
 * do not handle. The parent steers the network over IPC: keypad changes, unlocks, inspection.
 */

export const mockNetworkOptionsSchema = z.object({
  locks: z.array(
    z.object({
      nodeId: z.number().int().min(2),
      slots: z.number().int().min(1),
      userCodeVersion: z.union([z.literal(1), z.literal(2)]).optional(),
      userCodeChecksum: z.boolean().optional(),
      acceptLengths: z.object({ min: z.number().int(), max: z.number().int() }).optional(),
      codes: z.record(z.string(), z.string()).optional(),
      name: z.string().optional(),
      doorLock: z.boolean().optional(),
    }),
  ),
  /** Also run a Z-Wave JS server on the network (what Home Assistant runs), for an agent with `zwave.server_url`. */
  zwaveServer: z.boolean().optional(),
});
export type MockNetworkOptions = z.input<typeof mockNetworkOptionsSchema>;

export const mockHubRequestSchema = z.object({
  id: z.number(),
  cmd: z.enum(['slots', 'keypad', 'silent', 'unlock', 'deny', 'set_commands', 'reads', 'locked', 'restart_server', 'stop']),
  nodeId: z.number().optional(),
  slot: z.number().optional(),
  code: z.string().optional(),
});
export type MockHubRequest = z.infer<typeof mockHubRequestSchema>;

async function main() {
  const options = mockNetworkOptionsSchema.parse(JSON.parse(process.env.LATCHKEY_MOCK_NETWORK ?? '{}'));
  const network = await startMockZwaveNetwork(options.locks.map((l) => ({ ...l, codes: Object.fromEntries(Object.entries(l.codes ?? {}).map(([k, v]) => [Number(k), v])) })));
  const server: MockZwaveServer | undefined = options.zwaveServer ? await startMockZwaveServer(network.serialPort) : undefined;
  const stopAll = async () => {
    await server?.stop();
    await network.stop();
  };

  const answer = async (request: MockHubRequest): Promise<unknown> => {
    const lock = () => network.lock(request.nodeId ?? 0);
    switch (request.cmd) {
      case 'slots':
        return lock().slots();
      case 'set_commands':
        return lock().setCommands;
      case 'reads':
        return lock().reads;
      case 'keypad':
        return lock().setAtKeypad(request.slot ?? 0, request.code ?? '');
      case 'silent':
        return lock().changeSilently(request.slot ?? 0, request.code ?? '');
      case 'unlock':
        return lock().unlockAtKeypad(request.slot ?? 0);
      case 'deny':
        return lock().denyAtKeypad();
      case 'locked':
        return lock().locked();
      case 'restart_server':
        if (!server) throw new Error('no Z-Wave JS server on this network');
        return server.restart();
      case 'stop':
        await stopAll();
        setImmediate(() => process.exit(0));
        return undefined;
    }
  };
  process.on('message', (message) => {
    const request = mockHubRequestSchema.safeParse(message);
    if (!request.success) return;
    answer(request.data).then(
      (result) => process.send?.({ id: request.data.id, ok: true, result: result ?? null }),
      (error: unknown) => process.send?.({ id: request.data.id, ok: false, error: error instanceof Error ? error.message : 'failed' }),
    );
  });
  // The parent is gone (Ctrl-C on npm start, a test worker that ended): go with it.
  process.on('disconnect', () => void stopAll().finally(() => process.exit(0)));
  process.send?.({ ready: true, serialPort: network.serialPort, ...(server ? { serverUrl: server.url } : {}) });
}

main().catch((error: unknown) => {
  console.error(`mock Z-Wave network: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
