import { createHash } from 'node:crypto';
import type { AccountSource } from '../../connected-accounts/account-source';
import type { ConnectedAccountRecord } from '../../connected-accounts/schemas';
import { type CodeConstraint, type DeviceRecord, codeConstraintSchema } from '../schemas';
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
    device: {
      device_id: stableDeviceId(account.connected_account.connected_account_id, upstream.device_id),
      workspace_id: account.workspace_id,
      connected_account_id: account.connected_account.connected_account_id,
      device_type: upstream.device_type,
      display_name: upstream.display_name ?? name,
      nickname: upstream.nickname ?? name,
      space_ids: [],
      capabilities_supported: ['access_code', ...(upstream.capabilities_supported.includes('lock') ? (['lock'] as const) : [])],
      can_remotely_lock: false,
      can_remotely_unlock: false,
      can_program_online_access_codes: true,
      can_program_offline_access_codes: false,
      can_simulate_connection: false,
      can_simulate_disconnection: false,
      properties: {
        name,
        appearance: { name },
        online,
        manufacturer: props.manufacturer ?? 'unknown',
        model: {
          display_name: props.model?.display_name ?? upstream.device_type,
          manufacturer_display_name: props.model?.manufacturer_display_name ?? props.manufacturer ?? 'Unknown',
          has_built_in_keypad: true,
          can_connect_accessory_keypad: false,
          offline_access_codes_supported: false,
          online_access_codes_supported: true,
        },
        locked: props.locked ?? true,
        battery_level: props.battery_level ?? 1,
        online_access_codes_enabled: true,
        offline_access_codes_enabled: false,
        supports_backup_access_code_pool: false,
        supported_code_lengths: props.supported_code_lengths ?? defaultCodeLengths,
        max_active_codes_supported: props.max_active_codes_supported ?? defaultCapacity,
        code_constraints: knownConstraints(upstream),
      },
      errors: online ? [] : [{ error_code: 'device_offline', message: 'Device is offline', created_at: now, is_device_error: true }],
      warnings: [],
      created_at: now,
      is_managed: true,
      custom_metadata: {},
    },
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
