import * as z from 'zod';
import { keypadLockDevice } from '../../devices/keypad-lock';
import type { AccountSource } from '../../connected-accounts/account-source';
import type { ConnectedAccountRecord } from '../../connected-accounts/schemas';
import { hubThingName, parseLockShadowName, type ReportedBolt, type ReportedLock } from '../../hub-contract/shadow-documents';
import type { DeviceRecord } from '../../devices/schemas';
import { stableDeviceId } from '../../devices/derived-ids';
import type { HubShadows } from './hub-shadows';
import type { ZwaveState } from './zwave-provider';

/** A Z-Wave hub account's settings: its IoT thing, and whether the hub is connected (from IoT Core's presence events). */
export const zwaveSettingsSchema = z.object({
  thing_name: z.string().min(1).max(128),
  connected: z.boolean().default(false),
  /** When `connected` last changed, so a late presence event cannot undo a newer one. */
  presence_at: z.iso.datetime().optional(),
});
export type ZwaveSettings = z.infer<typeof zwaveSettingsSchema>;

/** Seam's device type for the lock's maker; hub-connected Z-Wave locks of other makers are SmartThings-style locks in Seam's list. */
function deviceType(manufacturer: string): string {
  const m = manufacturer.toLowerCase();
  if (m.includes('allegion') || m.includes('schlage')) return 'schlage_lock';
  if (m.includes('kwikset') || m.includes('spectrum')) return 'kwikset_lock';
  if (m.includes('yale') || m.includes('assa')) return 'yale_lock';
  if (m.includes('u-tec') || m.includes('ultraloq')) return 'ultraloq_lock';
  return 'smartthings_lock';
}

const range = (min: number, max: number) => Array.from({ length: Math.max(0, max - min + 1) }, (_, i) => min + i);

/**
 * A lock a hub reports, as a Latchkey device. `existing` keeps what Latchkey owns: creation time,
 * nickname, metadata, offline time. A lock with Door Lock CC locks and unlocks remotely; its
 * `locked` is the bolt as the agent last reported it.
 */
export function zwaveDevice(account: ConnectedAccountRecord, shadowName: string, lock: ReportedLock, now: string, existing?: DeviceRecord, bolt?: ReportedBolt): DeviceRecord {
  const settings = zwaveSettingsSchema.parse(account.provider_settings);
  const online = settings.connected && lock.status !== 'dead';
  const accountId = account.connected_account.connected_account_id;
  const offlineSince = existing?.device.errors.find((e) => e.error_code === 'device_offline')?.created_at ?? now;
  const state: ZwaveState = { thing_name: settings.thing_name, shadow_name: shadowName, node_id: lock.node_id };
  const name = lock.name || `Z-Wave lock ${lock.node_id}`;
  return {
    device: keypadLockDevice({
      deviceId: stableDeviceId(accountId, shadowName),
      workspaceId: account.workspace_id,
      connectedAccountId: accountId,
      deviceType: deviceType(lock.manufacturer),
      name,
      displayName: name,
      nickname: existing?.device.nickname ?? name,
      capabilities: lock.door_lock === true ? ['access_code', 'lock'] : ['access_code'],
      online,
      offline: { message: settings.connected ? 'The lock does not answer its hub' : "The lock's hub is offline", since: offlineSince },
      manufacturer: lock.manufacturer.toLowerCase(),
      model: { display_name: lock.model, manufacturer_display_name: lock.manufacturer },
      locked: bolt?.locked ?? existing?.device.properties.locked ?? true,
      batteryLevel: 1,
      codeLengths: range(lock.code_lengths.min, lock.code_lengths.max),
      capacity: Math.max(1, lock.managed_slots),
      constraints: [],
      spaceIds: existing?.device.space_ids ?? [],
      createdAt: existing?.device.created_at ?? now,
      customMetadata: existing?.device.custom_metadata ?? {},
      remote: { lock: lock.door_lock === true, unlock: lock.door_lock === true },
    }),
    provider: 'zwave',
    provider_device_id: `${settings.thing_name}/${shadowName}`,
    provider_state: state,
  };
}

/** The locks a hub reports: one named shadow per lock on the hub's thing. */
export function zwaveAccountSource(shadows: HubShadows, clock: { now(): Date }): AccountSource {
  return {
    async snapshot(account) {
      const thing = zwaveSettingsSchema.parse(account.provider_settings).thing_name;
      const now = clock.now().toISOString();
      const devices: DeviceRecord[] = [];
      for (const name of await shadows.list(thing)) {
        if (parseLockShadowName(name) === undefined) continue;
        const reported = (await shadows.get(thing, name))?.state.reported;
        if (reported?.lock) devices.push(zwaveDevice(account, name, reported.lock, now, undefined, reported.bolt));
      }
      return { devices };
    },
  };
}

/** The thing a new hub account gets. */
export const zwaveSettingsFor = (stage: string, connectedAccountId: string): ZwaveSettings => ({ thing_name: hubThingName(stage, connectedAccountId), connected: false });
