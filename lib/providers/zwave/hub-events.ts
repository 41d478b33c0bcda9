import * as z from 'zod';
import type { ConnectedAccountRecord } from '../../connected-accounts/schemas';
import type { Deps } from '../../ports';
import { keypadEventSchema, lockShadowSchema, parseHubThingName, parseLockShadowName } from '../../hub-contract/shadow-documents';
import type { DeviceRecord } from '../../devices/schemas';
import { stableDeviceId } from '../../devices/derived-ids';
import { SlotView } from './slots';
import { zwaveDevice, zwaveSettingsSchema } from './zwave-devices';

export type HubEventDeps = Pick<Deps, 'connectedAccounts' | 'devices' | 'providers' | 'clock' | 'engine'>;

/** What IoT Core's rules deliver (each rule adds `kind` and the topic's names to the message). */
export const hubMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('documents'), thing_name: z.string(), shadow_name: z.string(), previous: z.unknown().optional(), current: z.unknown() }),
  z.object({ kind: z.literal('presence'), clientId: z.string(), eventType: z.enum(['connected', 'disconnected']), timestamp: z.number() }),
  keypadEventSchema.extend({ kind: z.literal('keypad'), thing_name: z.string() }),
]);
export type HubMessage = z.infer<typeof hubMessageSchema>;

export interface HubEventLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** The hub's account, if the thing is exactly the one it was given (its stage included): another stage's hub is no hub here. */
async function hubAccount(deps: Pick<Deps, 'connectedAccounts'>, thingName: string): Promise<ConnectedAccountRecord | undefined> {
  const accountId = parseHubThingName(thingName);
  const account = accountId === undefined ? undefined : await deps.connectedAccounts.getById(accountId);
  if (account?.provider !== 'zwave') return undefined;
  return zwaveSettingsSchema.safeParse(account.provider_settings).data?.thing_name === thingName ? account : undefined;
}

/** Slots whose reported value (or refusal) differs between two versions of a lock shadow. */
function changedSlots(previous: SlotView | undefined, current: SlotView, max: number): number[] {
  const out: number[] = [];
  for (let slot = 1; slot <= max; slot++) {
    const before = previous?.state(slot);
    const after = current.state(slot);
    if (before?.reported?.code !== after?.reported?.code || before?.refused?.code !== after?.refused?.code || before?.reported?.at !== after?.reported?.at) out.push(slot);
  }
  return out;
}

/**
 * A lock's shadow changed (IoT rule on `.../update/documents`): the lock becomes or stays a
 * device with what the hub reports, and every code whose slot the lock changed is looked at
 * now, so `set` and gone follow the lock's own report.
 */
export async function onShadowDocuments(deps: HubEventDeps, message: Extract<HubMessage, { kind: 'documents' }>, log: HubEventLog): Promise<void> {
  const account = await hubAccount(deps, message.thing_name);
  const current = lockShadowSchema.safeParse(message.current);
  if (!account || !current.success || parseLockShadowName(message.shadow_name) === undefined) {
    log.warn('shadow change for no known lock', { thing: message.thing_name, shadow: message.shadow_name });
    return;
  }
  const previous = lockShadowSchema.safeParse(message.previous);
  const now = deps.clock.now().toISOString();
  const workspaceId = account.workspace_id;
  const deviceId = stableDeviceId(account.connected_account.connected_account_id, message.shadow_name);
  const lock = current.data.state.reported?.lock;
  let device = await deps.devices.get(workspaceId, deviceId);
  if (lock) {
    const fresh = zwaveDevice(account, message.shadow_name, lock, now, device, current.data.state.reported?.bolt);
    if (JSON.stringify(fresh) !== JSON.stringify(device)) await deps.devices.put(fresh);
    device = fresh;
  }
  if (!device) return;
  const view = new SlotView(current.data);
  const before = previous.success ? new SlotView(previous.data) : undefined;
  const changed = changedSlots(before, view, view.managedSlots);
  const known = device;
  for (const slot of changed) {
    const owner = view.state(slot)?.owner;
    if (owner !== undefined) await deps.engine.lookNow(workspaceId, owner, known);
  }
  // The lock's keypad changed: codes set outside Latchkey show up (or go) as unmanaged codes now.
  if (changed.length > 0) await deps.engine.discover(known);
}

/** A device with its hub's presence applied. */
function withPresence(device: DeviceRecord, connected: boolean, now: string): DeviceRecord {
  const offline = device.device.errors.find((e) => e.error_code === 'device_offline');
  const errors = device.device.errors.filter((e) => e.error_code !== 'device_offline');
  if (!connected) errors.push(offline ?? { error_code: 'device_offline', message: "The lock's hub is offline", created_at: now, is_device_error: true });
  return { ...device, device: { ...device.device, errors, properties: { ...device.device.properties, online: connected } } };
}

/**
 * A hub connected or disconnected (IoT Core presence event). Its locks show `device_offline`
 * while it is away; a late event never undoes a newer one.
 */
export async function onHubPresence(deps: HubEventDeps, message: Extract<HubMessage, { kind: 'presence' }>, log: HubEventLog): Promise<void> {
  const account = await hubAccount(deps, message.clientId);
  if (!account) return;
  const at = new Date(message.timestamp).toISOString();
  const settings = zwaveSettingsSchema.parse(account.provider_settings);
  if (settings.presence_at !== undefined && settings.presence_at > at) return;
  const connected = message.eventType === 'connected';
  await deps.connectedAccounts.put({ ...account, provider_settings: { ...settings, connected, presence_at: at } });
  const devices = (await deps.devices.list(account.workspace_id, { limit: 10_000 })).filter((d) => d.device.connected_account_id === account.connected_account.connected_account_id);
  for (const device of devices) await deps.devices.put(withPresence(device, connected, deps.clock.now().toISOString()));
  log.info(connected ? 'hub connected' : 'hub disconnected', { connected_account_id: account.connected_account.connected_account_id, devices: devices.length });
}

/**
 * Someone opened a lock with a code at its keypad: logged with the code's id (never its PIN),
 * and recorded as an entry (`lock.unlocked` with the code the slot holds, counted on it).
 */
export async function onKeypadEvent(deps: HubEventDeps, message: Extract<HubMessage, { kind: 'keypad' }>, log: HubEventLog): Promise<string | undefined> {
  const account = await hubAccount(deps, message.thing_name);
  if (!account) return undefined;
  const deviceId = stableDeviceId(account.connected_account.connected_account_id, message.shadow_name);
  const device = await deps.devices.get(account.workspace_id, deviceId);
  const slot = message.slot;
  let accessCodeId: string | undefined;
  if (device && slot !== undefined) {
    const entry = (await deps.providers.for(device).listEntries?.(device))?.find((e) => e.provider_ref === String(slot));
    accessCodeId = entry?.access_code_id;
  }
  log.info(message.type === 'keypad_unlock' ? 'keypad unlock' : 'keypad refused', { device_id: deviceId, slot, access_code_id: accessCodeId });
  if (device) {
    await deps.engine.recordEntry(device, {
      // An older agent sends no id: the lock, the time and the slot name the entry.
      entry_id: message.entry_id ?? `${message.shadow_name}:${message.occurred_at}:${slot ?? ''}`,
      occurred_at: message.occurred_at,
      outcome: message.type === 'keypad_unlock' ? 'unlocked' : 'denied',
      ...(accessCodeId === undefined ? (slot === undefined ? {} : { provider_ref: String(slot) }) : { access_code_id: accessCodeId }),
    });
  }
  return accessCodeId;
}

/** Routes one IoT rule message. */
export async function onHubMessage(deps: HubEventDeps, message: HubMessage, log: HubEventLog): Promise<void> {
  if (message.kind === 'documents') await onShadowDocuments(deps, message, log);
  else if (message.kind === 'presence') await onHubPresence(deps, message, log);
  else await onKeypadEvent(deps, message, log);
}
