import type { AccountSource } from '../../connected-accounts/account-source';
import { stableDeviceId } from '../../devices/derived-ids';
import { keypadLockDevice } from '../../devices/keypad-lock';
import type { ConnectedAccountRecord } from '../../connected-accounts/schemas';
import { type CodeConstraint, type DeviceRecord, codeConstraintSchema } from '../../devices/schemas';
import { type SeamAccounts, seamSettingsSchema } from './seam-account';
import type { SeamDeviceState } from './seam-provider';
import type { UpstreamDevice } from './seam-upstream';

/** Lengths assumed when the upstream does not report them: what most keypads accept. */
const defaultCodeLengths = [4, 5, 6, 7, 8];
/** Slots assumed when the upstream does not report a capacity; the upstream still enforces its own. */
const defaultCapacity = 250;

const knownConstraints = (upstream: UpstreamDevice): CodeConstraint[] =>
  (upstream.properties.code_constraints ?? []).flatMap((c) => {
    const parsed = codeConstraintSchema.safeParse(c);
    return parsed.success ? [parsed.data] : [];
  });

/** An upstream device as a Latchkey device record. */
export function toDeviceRecord(account: ConnectedAccountRecord, upstream: UpstreamDevice, now: string): DeviceRecord {
  const props = upstream.properties;
  const name = props.name ?? upstream.display_name ?? upstream.device_id;
  const online = props.online ?? true;
  const state: SeamDeviceState = { webhooks: seamSettingsSchema.parse(account.provider_settings).webhooks };
  return {
    device: keypadLockDevice({
      deviceId: stableDeviceId(account.connected_account.connected_account_id, upstream.device_id),
      workspaceId: account.workspace_id,
      connectedAccountId: account.connected_account.connected_account_id,
      deviceType: upstream.device_type,
      name,
      displayName: upstream.display_name ?? name,
      nickname: upstream.nickname ?? name,
      capabilities: ['access_code', ...(upstream.capabilities_supported.includes('lock') ? (['lock'] as const) : [])],
      online,
      offline: { message: 'Device is offline', since: now },
      manufacturer: props.manufacturer ?? 'unknown',
      model: {
        display_name: props.model?.display_name ?? upstream.device_type,
        manufacturer_display_name: props.model?.manufacturer_display_name ?? props.manufacturer ?? 'Unknown',
      },
      locked: props.locked ?? true,
      batteryLevel: props.battery_level ?? 1,
      codeLengths: props.supported_code_lengths ?? defaultCodeLengths,
      capacity: props.max_active_codes_supported ?? defaultCapacity,
      constraints: knownConstraints(upstream),
      spaceIds: [],
      createdAt: now,
      customMetadata: {},
      remote: { lock: upstream.can_remotely_lock === true, unlock: upstream.can_remotely_unlock === true },
    }),
    provider: 'seam',
    provider_device_id: upstream.device_id,
    provider_state: state,
  };
}

/** The devices of a Seam account: the upstream locks that can program online access codes. */
export function seamAccountSource(accounts: SeamAccounts, clock: { now(): Date }): AccountSource {
  return {
    async snapshot(account) {
      const upstream = await accounts.forAccount(account);
      const now = clock.now().toISOString();
      const locks = (await upstream.listDevices()).filter((d) => d.can_program_online_access_codes === true);
      return { devices: locks.map((d) => toDeviceRecord(account, d, now)) };
    },
  };
}
