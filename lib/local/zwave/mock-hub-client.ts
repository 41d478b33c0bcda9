import { type ChildProcess, fork, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { EdgeConfig } from '../../../edge/config';
import type { MockHubRequest, MockNetworkOptions } from './mock-hub';

/** A property without hardware: the mock network process, and the real edge agent (`npm run edge`'s program) beside it. */
export interface MockHub {
  slots(nodeId: number): Promise<Record<string, string>>;
  /** User Code Set commands the lock has received since the network started. */
  setCommands(nodeId: number): Promise<number>;
  /** User Code Get (slot) and User Code Checksum Get commands the lock has answered since the network started. */
  reads(nodeId: number): Promise<{ slots: number; checksums: number }>;
  setAtKeypad(nodeId: number, slot: number, code: string): Promise<void>;
  /** The lock's memory changes and the lock announces nothing: only a read (or its checksum) shows it. */
  changeSilently(nodeId: number, slot: number, code: string): Promise<void>;
  unlockAtKeypad(nodeId: number, slot: number): Promise<void>;
  /** A PIN the lock does not hold, typed at its keypad. */
  denyAtKeypad(nodeId: number): Promise<void>;
  /** Whether the lock's bolt is thrown (Door Lock CC). */
  locked(nodeId: number): Promise<boolean>;
  /** Restarts the network's Z-Wave JS server (with `zwaveServer`): the agent loses its connection and must dial again. */
  restartServer(): Promise<void>;
  /** Stops the agent process (SIGTERM, as a service manager would) and starts it again on the same network and cache. */
  restartAgent(): Promise<void>;
  /** Everything the agent processes wrote (their logs), and the network's. */
  output(): string;
  stop(): Promise<void>;
}

export interface MockHubOptions extends MockNetworkOptions {
  /** The agent's configuration, less what the network decides (its serial port). */
  agent: Omit<Partial<EdgeConfig>, 'zwave' | 'cache_dir'> & Pick<EdgeConfig, 'thing_name' | 'mqtt_url'> & { cache_dir: string };
}

const root = join(__dirname, '..', '..', '..');
const readsSchema = z.object({ slots: z.number(), checksums: z.number() });

const exited = (child: ChildProcess, killAfterMs: number) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** Starts the network, then the agent on it; resolves once both run (the agent reports its locks by itself). */
export function startMockHub(options: MockHubOptions, startTimeoutMs = 60_000, callTimeoutMs = 60_000): Promise<MockHub> {
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
  };
  const collect = (child: ChildProcess) => {
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
  };
  // zwave-js loads its bindings through package imports that `--conditions=import` breaks: plain Node for both.
  const network = fork(join(__dirname, 'mock-hub.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, LATCHKEY_MOCK_NETWORK: JSON.stringify({ locks: options.locks, zwaveServer: options.zwaveServer }) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  collect(network);
  const configFile = join(options.agent.cache_dir, 'edge.json');
  let agent: ChildProcess | undefined;
  const startAgent = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'edge', 'main.ts'), '--config', configFile], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'INFO' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    collect(child);
    agent = child;
  };
  const stopAgent = async () => {
    if (!agent) return;
    agent.kill('SIGTERM');
    await exited(agent, 15_000);
    agent = undefined;
  };

  let next = 1;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const call = (cmd: MockHubRequest['cmd'], args: Omit<MockHubRequest, 'id' | 'cmd'> = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = next++;
      // A network that stops answering fails the call with the log, rather than hanging the caller.
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`mock network did not answer ${cmd} in ${callTimeoutMs} ms\n${output.slice(-4000)}`));
      }, callTimeoutMs);
      waiting.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      network.send({ id, cmd, ...args });
    });

  return new Promise<MockHub>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mock network did not start in time\n${output}`)), startTimeoutMs);
    network.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mock network exited (${code})\n${output}`));
      for (const w of waiting.values()) w.reject(new Error('mock network exited'));
    });
    network.on('message', (message: unknown) => {
      if (typeof message !== 'object' || message === null) return;
      if ('ready' in message && 'serialPort' in message && typeof message.serialPort === 'string') {
        clearTimeout(timer);
        // With a Z-Wave JS server on the network, the agent goes through it (Home Assistant's setup), else it owns the controller.
        const zwave = options.zwaveServer && 'serverUrl' in message && typeof message.serverUrl === 'string' ? { server_url: message.serverUrl } : { serial_port: message.serialPort };
        const config = { refresh_minutes: 0, ...options.agent, zwave };
        writeFileSync(configFile, JSON.stringify(config));
        startAgent();
        resolve(hub);
        return;
      }
      if (!('id' in message) || typeof message.id !== 'number') return;
      const w = waiting.get(message.id);
      waiting.delete(message.id);
      if ('ok' in message && message.ok) w?.resolve('result' in message ? message.result : undefined);
      else w?.reject(new Error(`${'error' in message && typeof message.error === 'string' ? message.error : 'mock network call failed'}\n${output.slice(-3000)}`));
    });
    const hub: MockHub = {
      async slots(nodeId) {
        const result = await call('slots', { nodeId });
        const out: Record<string, string> = {};
        if (typeof result === 'object' && result !== null) for (const [k, v] of Object.entries(result)) if (typeof v === 'string') out[k] = v;
        return out;
      },
      setCommands: async (nodeId) => Number(await call('set_commands', { nodeId })),
      reads: async (nodeId) => readsSchema.parse(await call('reads', { nodeId })),
      setAtKeypad: async (nodeId, slot, code) => void (await call('keypad', { nodeId, slot, code })),
      changeSilently: async (nodeId, slot, code) => void (await call('silent', { nodeId, slot, code })),
      unlockAtKeypad: async (nodeId, slot) => void (await call('unlock', { nodeId, slot })),
      denyAtKeypad: async (nodeId) => void (await call('deny', { nodeId })),
      locked: async (nodeId) => (await call('locked', { nodeId })) === true,
      restartServer: async () => void (await call('restart_server')),
      async restartAgent() {
        await stopAgent();
        startAgent();
      },
      output: () => output,
      async stop() {
        await stopAgent();
        if (network.exitCode !== null) return;
        network.send({ id: next++, cmd: 'stop' });
        await exited(network, 10_000);
      },
    };
  });
}
