import { randomBytes } from 'node:crypto';
import { algoPinTimeFrameOptions } from './sandbox-offline';
import type { ConnectedAccountRecord } from '../../connected-accounts/schemas';
import type { SandboxState } from './sandbox-provider';
import type { CodeConstraint, DeviceRecord } from '../../devices/schemas';

interface SandboxModel {
  name: string;
  deviceType: string;
  manufacturer: string;
  manufacturerDisplayName: string;
  model: string;
  lengths: number[];
  maxCodes: number;
  constraints: CodeConstraint[];
  nativeScheduling: boolean;
  /** Also keeps weekly schedules (days and times of day), as Nuki locks do. */
  weeklyScheduling?: boolean;
  /** Fails the configured share of operations, for testing retries. */
  flaky?: boolean;
  /** Also takes algoPIN-style offline codes, as igloohome locks do. */
  offline?: boolean;
  /** Keeps a pool of backup codes for codes created with use_backup_access_code_pool. */
  backupPool?: boolean;
}

/**
 * The locks every sandbox workspace gets, modelled on the brands' documented PIN rules.
 * Schlage, Kwikset, Nuki, igloohome and Yale schedule codes natively (the lock keeps the
 * time window; Nuki also keeps weekly schedules); tedee, SmartThings and Lockly take codes just in time.
 */
export const sandboxModels: readonly SandboxModel[] = [
  {
    name: 'Front Door',
    deviceType: 'schlage_lock',
    manufacturer: 'schlage',
    manufacturerDisplayName: 'Schlage',
    model: 'Encode Smart Deadbolt',
    lengths: [4],
    maxCodes: 30,
    constraints: [],
    nativeScheduling: true,
    backupPool: true,
  },
  {
    name: 'Back Door',
    deviceType: 'kwikset_lock',
    manufacturer: 'kwikset',
    manufacturerDisplayName: 'Kwikset',
    model: 'Halo Touchscreen',
    lengths: [4, 5, 6, 7, 8],
    maxCodes: 100,
    constraints: [{ constraint_type: 'name_length', min_length: 2, max_length: 14 }, { constraint_type: 'name_must_be_unique' }],
    nativeScheduling: true,
  },
  {
    name: 'Garage',
    deviceType: 'nuki_lock',
    manufacturer: 'nuki',
    manufacturerDisplayName: 'Nuki',
    model: 'Keypad 2.0',
    lengths: [6],
    maxCodes: 200,
    constraints: [{ constraint_type: 'no_zeros' }, { constraint_type: 'cannot_start_with_12' }],
    nativeScheduling: true,
    weeklyScheduling: true,
  },
  {
    name: 'Guest Suite',
    deviceType: 'igloohome_lock',
    manufacturer: 'igloohome',
    manufacturerDisplayName: 'igloohome',
    model: 'Smart Deadbolt 02',
    lengths: [4, 5, 6],
    maxCodes: 199,
    constraints: [],
    nativeScheduling: true,
    offline: true,
  },
  {
    name: 'Studio',
    deviceType: 'tedee_lock',
    manufacturer: 'tedee',
    manufacturerDisplayName: 'tedee',
    model: 'GO with Keypad',
    lengths: [5, 6, 7, 8],
    maxCodes: 100,
    constraints: [{ constraint_type: 'at_least_three_unique_digits' }, { constraint_type: 'no_ascending_or_descending_sequence' }],
    nativeScheduling: false,
  },
  {
    name: 'Side Gate',
    deviceType: 'smartthings_lock',
    manufacturer: 'smartthings',
    manufacturerDisplayName: 'SmartThings',
    model: 'Z-Wave Keypad Lock',
    lengths: [4, 5, 6, 7, 8],
    maxCodes: 30,
    constraints: [],
    nativeScheduling: false,
  },
  {
    name: 'Pool House',
    deviceType: 'lockly_lock',
    manufacturer: 'lockly',
    manufacturerDisplayName: 'Lockly',
    model: 'Secure Pro',
    lengths: [6, 7, 8],
    maxCodes: 64,
    constraints: [],
    nativeScheduling: false,
  },
  {
    name: 'Storage Room',
    deviceType: 'smartthings_lock',
    manufacturer: 'smartthings',
    manufacturerDisplayName: 'SmartThings',
    model: 'Two-Slot Keypad',
    lengths: [4, 5, 6],
    maxCodes: 2,
    constraints: [],
    nativeScheduling: false,
  },
  {
    name: 'Flaky Door',
    deviceType: 'yale_lock',
    manufacturer: 'yale',
    manufacturerDisplayName: 'Yale',
    model: 'Assure Lock 2',
    lengths: [4, 5, 6, 7, 8],
    maxCodes: 250,
    constraints: [],
    nativeScheduling: true,
    flaky: true,
  },
];

/**
 * Builds the sandbox locks of a new workspace: the brand-like locks, a two-slot lock that
 * fills up, and a flaky lock that fails `failureRate` of its operations.
 */
export function buildSandboxDevices(workspaceId: string, newId: () => string, now: Date, failureRate = 0.3): DeviceRecord[] {
  const connectedAccountId = newId();
  const createdAt = now.toISOString();
  return sandboxModels.map((m) => {
    const deviceId = newId();
    return {
      device: {
        device_id: deviceId,
        workspace_id: workspaceId,
        connected_account_id: connectedAccountId,
        device_type: m.deviceType,
        display_name: m.name,
        nickname: m.name,
        space_ids: [],
        capabilities_supported: ['access_code', 'lock'],
        can_remotely_lock: true,
        can_remotely_unlock: true,
        can_program_online_access_codes: true,
        can_program_offline_access_codes: m.offline === true,
        can_simulate_connection: true,
        can_simulate_disconnection: true,
        properties: {
          name: m.name,
          appearance: { name: m.name },
          online: true,
          manufacturer: m.manufacturer,
          model: {
            display_name: m.model,
            manufacturer_display_name: m.manufacturerDisplayName,
            has_built_in_keypad: true,
            can_connect_accessory_keypad: false,
            offline_access_codes_supported: m.offline === true,
            online_access_codes_supported: true,
          },
          locked: true,
          battery_level: 0.87,
          online_access_codes_enabled: true,
          offline_access_codes_enabled: m.offline === true,
          supports_backup_access_code_pool: m.backupPool === true,
          supported_code_lengths: m.lengths,
          max_active_codes_supported: m.maxCodes,
          code_constraints: m.constraints,
          ...(m.backupPool && { backup_access_code_pool_enabled: true }),
          ...(m.offline && {
            offline_time_frame_options: algoPinTimeFrameOptions,
            igloohome_metadata: { device_id: deviceId.slice(0, 8).toUpperCase(), device_name: m.name },
          }),
        },
        errors: [],
        warnings: [],
        created_at: createdAt,
        is_managed: true,
        custom_metadata: {},
      },
      provider: 'sandbox',
      provider_device_id: deviceId,
      provider_state: {
        native_scheduling: m.nativeScheduling,
        ...(m.weeklyScheduling && { weekly_scheduling: true }),
        failure_rate: m.flaky ? failureRate : 0,
        ...(m.offline && { offline_secret: randomBytes(32).toString('hex') }),
      } satisfies SandboxState,
    };
  });
}

/** The connected account every sandbox workspace's locks come through. */
export function sandboxAccount(workspaceId: string, connectedAccountId: string, now: Date): ConnectedAccountRecord {
  return {
    workspace_id: workspaceId,
    connected_account: {
      connected_account_id: connectedAccountId,
      account_type: 'sandbox',
      account_type_display_name: 'Sandbox',
      display_name: 'Sandbox locks',
      created_at: now.toISOString(),
      errors: [],
      warnings: [],
      custom_metadata: {},
      automatically_manage_new_devices: true,
      accepted_capabilities: ['lock'],
    },
    provider: 'sandbox',
    provider_settings: {},
  };
}
