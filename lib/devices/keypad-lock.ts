import type { CodeConstraint, Device } from './schemas';

/** What an integration knows of a keypad lock it programs online codes on. */
export interface KeypadLockFacts {
  deviceId: string;
  workspaceId: string;
  connectedAccountId: string;
  deviceType: string;
  name: string;
  displayName: string;
  nickname: string;
  capabilities: Device['capabilities_supported'];
  online: boolean;
  /** Why the lock is offline, and since when; shown as `device_offline`. */
  offline: { message: string; since: string };
  manufacturer: string;
  model: { display_name: string; manufacturer_display_name: string };
  locked: boolean;
  batteryLevel: number;
  codeLengths: number[];
  capacity: number;
  constraints: CodeConstraint[];
  spaceIds: string[];
  createdAt: string;
  customMetadata: Device['custom_metadata'];
  /** Whether the lock locks and unlocks remotely (through the provider's RemoteBolt); neither when absent. */
  remote?: { lock: boolean; unlock: boolean };
}

/**
 * The Seam device object of a lock behind a real provider: a built-in keypad, online codes,
 * remote lock and unlock where the provider says so, nothing to simulate. Each provider supplies only what it knows.
 */
export function keypadLockDevice(f: KeypadLockFacts): Device {
  return {
    device_id: f.deviceId,
    workspace_id: f.workspaceId,
    connected_account_id: f.connectedAccountId,
    device_type: f.deviceType,
    display_name: f.displayName,
    nickname: f.nickname,
    space_ids: f.spaceIds,
    capabilities_supported: f.capabilities,
    can_remotely_lock: f.remote?.lock ?? false,
    can_remotely_unlock: f.remote?.unlock ?? false,
    can_program_online_access_codes: true,
    can_program_offline_access_codes: false,
    can_simulate_connection: false,
    can_simulate_disconnection: false,
    properties: {
      name: f.name,
      appearance: { name: f.name },
      online: f.online,
      manufacturer: f.manufacturer,
      model: { ...f.model, has_built_in_keypad: true, can_connect_accessory_keypad: false, offline_access_codes_supported: false, online_access_codes_supported: true },
      locked: f.locked,
      battery_level: f.batteryLevel,
      online_access_codes_enabled: true,
      offline_access_codes_enabled: false,
      supports_backup_access_code_pool: false,
      supported_code_lengths: f.codeLengths,
      max_active_codes_supported: f.capacity,
      code_constraints: f.constraints,
    },
    errors: f.online ? [] : [{ error_code: 'device_offline', message: f.offline.message, created_at: f.offline.since, is_device_error: true }],
    warnings: [],
    created_at: f.createdAt,
    is_managed: true,
    custom_metadata: f.customMetadata,
  };
}
