import * as z from 'zod';
import { edgeConfigSchema } from '../edge/config';
import type { AgentLog } from '../edge/lock-sync';
import { type RunningAgent, runAgent } from '../edge/run';
import { startMockZwaveNetwork } from './mock-locks';

/**
 * A property without hardware, as a process of its own: mock User Code locks on zwave-js's mock
 * controller, and the real edge agent driving them over a TCP serial line. Local mode and the
 * end-to-end tests start it (zwave-js needs a plain Node process: it loads its bindings with
 * dynamic imports). The parent steers it over IPC: keypad changes, unlocks, agent restarts.
 */

export const mockHubOptionsSchema = z.object({
  mqtt_url: z.string(),
  thing_name: z.string(),
  cache_dir: z.string(),
  reconnect_ms: z.number().int().positive().default(5000),
  max_slots: z.number().int().positive().default(30),
  code_lengths: z.object({ min: z.number().int(), max: z.number().int() }).default({ min: 4, max: 8 }),
  locks: z.array(
    z.object({
      nodeId: z.number().int().min(2),
      slots: z.number().int().min(1),
      userCodeVersion: z.union([z.literal(1), z.literal(2)]).optional(),
      acceptLengths: z.object({ min: z.number().int(), max: z.number().int() }).optional(),
      codes: z.record(z.string(), z.string()).optional(),
      name: z.string().optional(),
    }),
  ),
});
export type MockHubOptions = z.input<typeof mockHubOptionsSchema>;

export const mockHubRequestSchema = z.object({
  id: z.number(),
  cmd: z.enum(['slots', 'keypad', 'unlock', 'set_commands', 'idle', 'restart_agent', 'stop']),
  nodeId: z.number().optional(),
  slot: z.number().optional(),
  code: z.string().optional(),
});
export type MockHubRequest = z.infer<typeof mockHubRequestSchema>;

const log: AgentLog = {
  info: (message, fields) => console.log(JSON.stringify({ level: 'INFO', message, ...fields })),
  warn: (message, fields) => console.log(JSON.stringify({ level: 'WARN', message, ...fields })),
};

async function main() {
  const options = mockHubOptionsSchema.parse(JSON.parse(process.env.LATCHKEY_MOCK_HUB ?? '{}'));
  const network = await startMockZwaveNetwork(
    options.locks.map((l) => ({ ...l, codes: Object.fromEntries(Object.entries(l.codes ?? {}).map(([k, v]) => [Number(k), v])) })),
  );
  const config = edgeConfigSchema.parse({
    thing_name: options.thing_name,
    mqtt_url: options.mqtt_url,
    zwave: { serial_port: network.serialPort },
    cache_dir: options.cache_dir,
    max_slots: options.max_slots,
    code_lengths: options.code_lengths,
    refresh_minutes: 0,
  });
  let running: RunningAgent = await runAgent(config, log, { reconnectMs: options.reconnect_ms });

  const answer = async (request: MockHubRequest): Promise<unknown> => {
    const lock = () => network.lock(request.nodeId ?? 0);
    switch (request.cmd) {
      case 'slots':
        return lock().slots();
      case 'set_commands':
        return lock().setCommands;
      case 'keypad':
        return lock().setAtKeypad(request.slot ?? 0, request.code ?? '');
      case 'unlock':
        return lock().unlockAtKeypad(request.slot ?? 0);
      case 'idle':
        return running.agent.idle();
      case 'restart_agent':
        await running.stop();
        running = await runAgent(config, log, { reconnectMs: options.reconnect_ms });
        return undefined;
      case 'stop':
        await running.stop();
        await network.stop();
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
  process.on('disconnect', () => void running.stop().finally(() => process.exit(0)));
  process.send?.({ ready: true, locks: network.locks.map((l) => l.nodeId) });
}

main().catch((error: unknown) => {
  console.error(`mock hub: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
