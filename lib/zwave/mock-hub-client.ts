import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { MockHubOptions, MockHubRequest } from './mock-hub';

/** The parent's handle on a mock hub process (lib/zwave/mock-hub.ts). */
export interface MockHub {
  slots(nodeId: number): Promise<Record<string, string>>;
  /** User Code Set commands the lock has received since the hub started. */
  setCommands(nodeId: number): Promise<number>;
  setAtKeypad(nodeId: number, slot: number, code: string): Promise<void>;
  unlockAtKeypad(nodeId: number, slot: number): Promise<void>;
  /** Waits for the agent's queued lock work. */
  idle(): Promise<void>;
  /** Stops the agent and its driver, and starts them again on the same network and cache. */
  restartAgent(): Promise<void>;
  /** Everything the hub process wrote to stdout and stderr (the agent's log). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts a mock hub process; resolves once its driver is up and the agent started. */
export function startMockHub(options: MockHubOptions, startTimeoutMs = 60_000): Promise<MockHub> {
  const child: ChildProcess = fork(join(__dirname, 'mock-hub.ts'), [], {
    // zwave-js loads its bindings through package imports that `--conditions=import` breaks.
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, LATCHKEY_MOCK_HUB: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let next = 1;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const call = (cmd: MockHubRequest['cmd'], args: Omit<MockHubRequest, 'id' | 'cmd'> = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      child.send({ id, cmd, ...args });
    });

  return new Promise<MockHub>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mock hub did not start in time\n${output}`)), startTimeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mock hub exited (${code})\n${output}`));
      for (const w of waiting.values()) w.reject(new Error('mock hub exited'));
    });
    child.on('message', (message: unknown) => {
      if (typeof message !== 'object' || message === null) return;
      if ('ready' in message) {
        clearTimeout(timer);
        resolve(hub);
        return;
      }
      if (!('id' in message) || typeof message.id !== 'number') return;
      const w = waiting.get(message.id);
      waiting.delete(message.id);
      if ('ok' in message && message.ok) w?.resolve('result' in message ? message.result : undefined);
      else w?.reject(new Error('error' in message && typeof message.error === 'string' ? message.error : 'mock hub call failed'));
    });
    const hub: MockHub = {
      async slots(nodeId) {
        const result = await call('slots', { nodeId });
        const out: Record<string, string> = {};
        if (typeof result === 'object' && result !== null) for (const [k, v] of Object.entries(result)) if (typeof v === 'string') out[k] = v;
        return out;
      },
      setCommands: async (nodeId) => Number(await call('set_commands', { nodeId })),
      setAtKeypad: async (nodeId, slot, code) => void (await call('keypad', { nodeId, slot, code })),
      unlockAtKeypad: async (nodeId, slot) => void (await call('unlock', { nodeId, slot })),
      idle: async () => void (await call('idle')),
      restartAgent: async () => void (await call('restart_agent')),
      output: () => output,
      async stop() {
        if (child.exitCode !== null) return;
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        child.send({ id: next++, cmd: 'stop' });
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      },
    };
  });
}
