import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppDeps } from '../../deps';
import { createHubAccount } from '../../providers/zwave';
import type { HubShadows } from '../../providers/zwave';
import { zwaveSettingsSchema } from '../../providers/zwave';
import { logger } from '../../logger';
import { routeHubMessages } from './local-hub-routing';
import { localHubShadows } from './local-hub-shadows';
import { type LocalIotCore, startLocalIotCore } from './local-iot-core';
import { startMockHub } from './mock-hub-client';
import { mockKeypad } from './mock-keypad';
import { lockShadowName } from '../../hub-contract/shadow-documents';
import { isObject } from '../../hub-contract/shadow-state';

/**
 * `LATCHKEY_ZWAVE_MOCK_LOCKS=N npm start`: N Z-Wave locks in the sandbox workspace, on a
 * Z-Wave hub account, running on zwave-js's mock controller behind the real edge agent, which
 * talks to a local IoT Core over MQTT. `npm start` imports this module only when N is set.
 */

export const mockHubName = 'Mock Z-Wave hub';
const slotsPerLock = 10;

export interface LocalZwave {
  iot: LocalIotCore;
  shadows: HubShadows;
  /** The mock locks' keypads (simulated entries), bound to the mock hub by attachMockHub. */
  keypad: ReturnType<typeof mockKeypad>;
}

/** Before the application is built: the local IoT Core, its shadows kept in `dataDir` when there is one. */
export async function startLocalZwave(dataDir: string | undefined): Promise<LocalZwave> {
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  const iot = await startLocalIotCore(dataDir === undefined ? {} : { file: join(dataDir, 'zwave-shadows.json') });
  return { iot, shadows: localHubShadows(iot), keypad: mockKeypad() };
}

/** What each mock lock held when Latchkey last stopped, from its reported shadow. */
function heldCodes(iot: LocalIotCore, thing: string, nodeId: number): Record<string, string> {
  const slots = iot.storedShadow(thing, lockShadowName(nodeId))?.state.reported?.slots;
  if (!isObject(slots)) return {};
  return Object.fromEntries(Object.entries(slots).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}

/** After it: the hub account in the workspace (created once), the hub's messages routed to Latchkey, the mock hub process. */
export async function attachMockHub(deps: AppDeps, zwave: LocalZwave, workspaceId: string, lockCount: number, stage: string) {
  const { iot } = zwave;
  const account =
    (await deps.connectedAccounts.list(workspaceId)).find((a) => a.provider === 'zwave' && a.connected_account.display_name === mockHubName) ??
    (await createHubAccount(deps, { workspaceId, name: mockHubName, stage }));
  const thing = zwaveSettingsSchema.parse(account.provider_settings).thing_name;
  iot.registerThing(thing);
  const log = {
    info: (message: string, fields?: Record<string, unknown>) => logger.info(message, { ...fields }),
    warn: (message: string, fields?: Record<string, unknown>) => logger.warn(message, { ...fields }),
  };
  routeHubMessages(iot, deps, log);
  const cacheDir = mkdtempSync(join(tmpdir(), 'latchkey-mock-hub-'));
  // User Code v2 locks with the User Code Checksum, which the agent's sweep asks for (every LATCHKEY_LOCK_SWEEP_MINUTES, as the cloud's).
  const locks = Array.from({ length: lockCount }, (_, i) => ({
    nodeId: i + 2,
    slots: slotsPerLock,
    userCodeVersion: 2 as const,
    name: `Z-Wave Lock ${i + 1}`,
    codes: heldCodes(iot, thing, i + 2),
  }));
  const agent = { mqtt_url: iot.url, thing_name: thing, cache_dir: cacheDir, max_slots: slotsPerLock, reconnect_seconds: 1, refresh_minutes: deps.settings.lockSweepMs / 60_000 };
  const hub = await startMockHub({ locks, agent });
  zwave.keypad.attach(hub);
  return {
    accountId: account.connected_account.connected_account_id,
    thing,
    url: iot.url,
    async stop() {
      await hub.stop();
      await iot.close();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
