import { type ChildProcess, fork } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';

/** A deployed function's bundle, run in its own Node process with its template's environment. */
export interface FunctionProcess {
  invoke(event: unknown): Promise<unknown>;
  /** What the process wrote (its logs), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

const replySchema = z.union([
  z.object({ ready: z.literal(true) }),
  z.object({ id: z.number(), result: z.unknown() }),
  z.object({ id: z.number(), error: z.object({ name: z.string(), message: z.string() }) }),
]);

/**
 * Starts the bundle in `assetDir` (`index.mjs`, exporting `handler`) on first invocation,
 * in a process whose environment is `environment` plus what Lambda itself sets. A bundle
 * that fails to start rejects every invocation with what it printed.
 */
export function functionProcess(assetDir: string, environment: Record<string, string>): FunctionProcess {
  let child: ChildProcess | undefined;
  let started: Promise<void> | undefined;
  let output = '';
  let next = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const start = () =>
    (started ??= new Promise<void>((resolve, reject) => {
      const bundle = pathToFileURL(path.join(assetDir, 'index.mjs')).href;
      const proc = fork(path.join(__dirname, 'lambda-child.mjs'), [bundle], { cwd: assetDir, env: { PATH: process.env.PATH ?? '', ...environment }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      child = proc;
      proc.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      proc.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      proc.on('message', (message) => {
        const reply = replySchema.parse(message);
        if ('ready' in reply) return resolve();
        const waiting = pending.get(reply.id);
        pending.delete(reply.id);
        if ('error' in reply) waiting?.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
        else waiting?.resolve(reply.result);
      });
      proc.on('exit', (code) => {
        const failure = new Error(`${environment.LATCHKEY_FUNCTION} exited (${code}): ${output}`);
        reject(failure);
        for (const waiting of pending.values()) waiting.reject(failure);
        pending.clear();
      });
    }));
  return {
    async invoke(event) {
      await start();
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child?.send({ id, event });
      });
    },
    output: () => output,
    async stop() {
      if (child === undefined || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
}
