import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { getAccessCode } from '../../lib/access-codes/get-access-code';
import { pollDueCodes } from '../../lib/engine/poll-due-codes';
import { createAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { AppError } from '../../lib/errors';
import { createHubAccount } from '../../lib/providers/zwave';
import { zwaveSettingsSchema } from '../../lib/providers/zwave';
import { zwaveStateSchema } from '../../lib/providers/zwave';
import type { DeviceRecord } from '../../lib/devices/schemas';
import { routeHubMessages } from '../../lib/local/zwave/local-hub-routing';
import { localHubShadows } from '../../lib/local/zwave/local-hub-shadows';
import { type LocalIotCore, startLocalIotCore } from '../../lib/local/zwave/local-iot-core';
import type { MockHub } from '../../lib/local/zwave/mock-hub-client';
import { startMockHub } from '../../lib/local/zwave/mock-hub-client';
import { mockKeypad } from '../../lib/local/zwave/mock-keypad';
import type { MockNetworkOptions } from '../../lib/local/zwave/mock-hub';
import { RunningClock, memoryApp, sandboxWorkspace } from './memory-app';

/**
 * A Latchkey app on in-memory stores with a running, hand-moved clock, wired to a local IoT Core, and a
 * property behind it: a mock hub process running the real edge agent and zwave-js's driver on
 * mock User Code locks. One per test file (a driver takes seconds to start).
 */
/** `refreshMinutes`: the agent's sweep of its locks (`refresh_minutes`); off unless given. */
export interface ZwaveHarnessOptions {
  maxSlots?: number;
  zwaveServer?: boolean;
  refreshMinutes?: number;
}

export async function zwaveHarness(locks: MockNetworkOptions['locks'], options: ZwaveHarnessOptions = {}) {
  const clock = new RunningClock();
  const iot: LocalIotCore = await startLocalIotCore({ now: () => clock.now().getTime() });
  const keypad = mockKeypad();
  const app = memoryApp({ clock, zwaveShadows: localHubShadows(iot), zwaveKeypad: keypad });
  const ws = await sandboxWorkspace(app.deps);
  const account = await createHubAccount(app.deps, { workspaceId: ws.workspaceId, name: 'Unit 4B hub', stage: 'local' });
  const thing = zwaveSettingsSchema.parse(account.provider_settings).thing_name;
  iot.registerThing(thing);
  const logLines: string[] = [];
  const log = {
    info: (message: string, fields?: Record<string, unknown>) => void logLines.push(JSON.stringify({ message, ...fields })),
    warn: (message: string, fields?: Record<string, unknown>) => void logLines.push(JSON.stringify({ message, ...fields })),
  };
  const routing = routeHubMessages(iot, app.deps, log);
  const cacheDir = mkdtempSync(join(tmpdir(), 'latchkey-zwave-cache-'));
  const hub: MockHub = await startMockHub({
    locks,
    zwaveServer: options.zwaveServer,
    agent: {
      mqtt_url: iot.url,
      thing_name: thing,
      cache_dir: cacheDir,
      reconnect_seconds: 0.1,
      max_slots: options.maxSlots ?? 30,
      code_lengths: { min: 4, max: 8 },
      ...(options.refreshMinutes !== undefined && { refresh_minutes: options.refreshMinutes }),
    },
  });
  keypad.attach(hub);

  const hubLog = () => hub.output();
  /** One round of Latchkey's work: the poller, then the hub messages it caused. */
  const run = async () => {
    await pollDueCodes(app.deps);
    await routing.idle();
  };
  /** Runs rounds until `check` passes; the agent runs in real time in its own process. */
  const until = async <T>(what: string, read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await run();
      const value = await read();
      if (check(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}\nhub log (last lines):\n${hubLog().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const zwaveDevices = async () => (await app.deps.devices.list(ws.workspaceId, { limit: 100 })).filter((d) => d.provider === 'zwave');
  await until('the hub to report its locks', zwaveDevices, (d) => d.length === locks.length, 45_000);
  const lockDevice = async (nodeId: number): Promise<DeviceRecord> => {
    const found = (await zwaveDevices()).find((d) => zwaveStateSchema.parse(d.provider_state).node_id === nodeId);
    if (!found) throw new Error(`no device for node ${nodeId}`);
    return found;
  };

  /** Every PIN the test gave Latchkey, for the check that none reached a log. */
  const pins: string[] = [];
  const create = (input: Record<string, unknown>) => {
    if (typeof input.code === 'string') pins.push(input.code);
    return createAccessCode(app.deps, ws.principal, createAccessCodeInputSchema.parse(input));
  };
  const get = (id: string) => getAccessCode(app.deps, ws.principal, { access_code_id: id });
  const gone = (id: string) =>
    get(id).then(
      () => false,
      (e: unknown) => e instanceof AppError && e.statusCode === 404,
    );
  return {
    ...app,
    pins,
    create,
    get,
    gone,
    iot,
    ws,
    account,
    thing,
    hub,
    logLines,
    run,
    until,
    lockDevice,
    async stop() {
      await hub.stop();
      await iot.close();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
export type ZwaveHarness = Awaited<ReturnType<typeof zwaveHarness>>;

/**
 * The preamble every Z-Wave end-to-end file shares: one harness started before the file's tests
 * and stopped after them. What it returns reaches the running harness, inside tests only.
 */
export function zwaveHarnessForFile(locks: MockNetworkOptions['locks'], options: ZwaveHarnessOptions = {}): ZwaveHarness {
  let started: ZwaveHarness | undefined;
  beforeAll(async () => {
    started = await zwaveHarness(locks, options);
  }, 90_000);
  afterAll(async () => {
    await started?.stop();
  });
  return new Proxy<ZwaveHarness>(Object.create(null), {
    get(_target, prop) {
      if (started === undefined) throw new Error('The Z-Wave harness runs inside tests only');
      return Reflect.get(started, prop);
    },
  });
}
