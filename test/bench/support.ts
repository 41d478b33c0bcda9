import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';

export const benchDir = __dirname;
export const repoRoot = join(__dirname, '..', '..');

/** Environment every measured child gets: quiet logs and no SDK notice on stderr. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    LOG_LEVEL: 'SILENT',
    POWERTOOLS_DEV: 'false',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

/** The last core, for a server, when `taskset` can pin one and another core is left for the load generator. */
export const serverCore: string | undefined = (() => {
  if (cpus().length < 2) return undefined;
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return String(cpus().length - 1);
  } catch {
    return undefined;
  }
})();

/** A TypeScript file of test/bench run as `npm run bench` runs main.ts; on `core` alone if given. */
function spawnTs(script: string, args: readonly string[], env: NodeJS.ProcessEnv, core?: string): ChildProcess {
  const node = [process.execPath, '--conditions=import', '--import', 'tsx', join(benchDir, script), ...args];
  // taskset execs node in its own process, so the child's pid stays node's.
  const [command = process.execPath, ...commandArgs] = core === undefined ? node : ['taskset', '-c', core, ...node];
  return spawn(command, commandArgs, { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
}

const RESULT_PREFIX = 'BENCH_RESULT ';

/** Hands a child's result to the parent: one prefixed JSON line on stdout. */
export function emit(value: unknown): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(value)}\n`);
}

/** Runs a child script to its end and parses the result it emitted with `schema`. */
export async function runChild<S extends z.ZodType>(script: string, args: readonly string[], schema: S, env: NodeJS.ProcessEnv = childEnv()): Promise<z.infer<S>> {
  const child = spawnTs(script, args, env);
  child.stdin?.end();
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (code !== 0 || line === undefined) throw new Error(`${script} ${args.join(' ')} failed (exit ${code}):\n${stderr}`);
  return schema.parse(JSON.parse(line.slice(RESULT_PREFIX.length)));
}

export interface Running<T> {
  value: T;
  pid: number;
  /** Closes the child's stdin (its signal to stop) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts a long-running child (on `core` alone, if given) and resolves with the first JSON line it prints. */
export async function startChild<S extends z.ZodType>(script: string, args: readonly string[], schema: S, env: NodeJS.ProcessEnv, core?: string): Promise<Running<z.infer<S>>> {
  const child = spawnTs(script, args, env, core);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const line = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const end = buffered.indexOf('\n');
      if (end >= 0) {
        child.stdout?.off('data', onData);
        resolve(buffered.slice(0, end));
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited (${code}) before it was ready:\n${stderr}`)));
  });
  const value = schema.parse(JSON.parse(line));
  if (child.pid === undefined) throw new Error(`${script} has no process id`);
  return {
    value,
    pid: child.pid,
    async stop() {
      child.stdin?.end();
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(force);
    },
  };
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  node: string;
  platform: string;
}

export function machine(): Machine {
  const cores = cpus();
  return {
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** A line on stderr with the time, so that a run shows where its minutes go. */
export const progress = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

const clockTicksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc; undefined where there
 * is no /proc. Counted per request it holds steadier than throughput on a shared machine.
 */
export function cpuMillisOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name, which is in parentheses: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
  } catch {
    return undefined;
  }
}
