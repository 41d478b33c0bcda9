import { createHash } from 'node:crypto';
import type { AccountSource } from '../../connected-accounts/account-source';
import { keypadLockDevice } from '../../devices/keypad-lock';
import type { ConnectedAccountRecord } from '../../connected-accounts/schemas';
import { type CodeConstraint, type DeviceRecord, codeConstraintSchema } from '../../devices/schemas';
import { type SeamAccounts, seamSettingsSchema } from './seam-account';
import type { SeamDeviceState } from './seam-provider';
import type { UpstreamDevice } from './seam-upstream';

/**
 * A device's Latchkey id, derived from its account and its upstream id: the same upstream lock
 * keeps one id across syncs, and two syncs racing cannot give it two.
 */
export function stableDeviceId(connectedAccountId: string, upstreamDeviceId: string): string {
  const hex = createHash('sha256').update(`${connectedAccountId}\u0000${upstreamDeviceId}`).digest('hex');
  // RFC 9562 version 8 (custom) with the RFC variant bits.
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

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
