import * as z from 'zod';
import { idSchema, timestampSchema } from '../schema-helpers';

export const pinConstraintTypes = [
  'no_zeros',
  'cannot_start_with_12',
  'no_triple_consecutive_ints',
  'cannot_specify_pin_code',
  'pin_code_matches_existing_set',
  'start_date_in_future',
  'no_ascending_or_descending_sequence',
  'at_least_three_unique_digits',
  'cannot_contain_089',
  'cannot_contain_0789',
  'unique_first_four_digits',
  'no_all_same_digits',
] as const;

export const codeConstraintSchema = z.union([
  z.object({ constraint_type: z.enum(pinConstraintTypes) }),
  z.object({
    constraint_type: z.literal('name_length'),
    min_length: z.number().int().optional(),
    max_length: z.number().int().optional(),
  }),
  z.object({ constraint_type: z.literal('name_must_be_unique') }),
]);
export type CodeConstraint = z.infer<typeof codeConstraintSchema>;

export const deviceIssueSchema = z.object({
  error_code: z.string(),
  message: z.string(),
  created_at: timestampSchema,
  is_device_error: z.literal(true),
});

/** One kind of offline code a lock takes, as Seam describes it (durations as ISO 8601 durations). */
export const offlineTimeFrameOptionSchema = z.object({
  display_name: z.string(),
  min_duration: z.string().optional(),
  max_duration: z.string().optional(),
  matching_start_end_time: z.literal(true).optional(),
});
export type OfflineTimeFrameOption = z.infer<typeof offlineTimeFrameOptionSchema>;

/** The Seam `device` object, as served by /devices/get and /devices/list. */
export const deviceSchema = z.object({
  device_id: idSchema,
  workspace_id: idSchema,
  connected_account_id: idSchema,
  device_type: z.string(),
  display_name: z.string(),
  nickname: z.string(),
  space_ids: z.array(z.string()),
  capabilities_supported: z.array(z.enum(['access_code', 'lock'])),
  can_remotely_lock: z.boolean(),
  can_remotely_unlock: z.boolean(),
  can_program_online_access_codes: z.boolean(),
  can_program_offline_access_codes: z.boolean(),
  can_simulate_connection: z.boolean(),
  can_simulate_disconnection: z.boolean(),
  properties: z.object({
    name: z.string(),
    appearance: z.object({ name: z.string() }),
    online: z.boolean(),
    manufacturer: z.string(),
    model: z.object({
      display_name: z.string(),
      manufacturer_display_name: z.string(),
      has_built_in_keypad: z.boolean(),
      can_connect_accessory_keypad: z.boolean(),
      offline_access_codes_supported: z.boolean(),
      online_access_codes_supported: z.boolean(),
    }),
    locked: z.boolean(),
    battery_level: z.number(),
    online_access_codes_enabled: z.boolean(),
    offline_access_codes_enabled: z.boolean(),
    supports_backup_access_code_pool: z.boolean(),
    supported_code_lengths: z.array(z.number().int().positive()),
    max_active_codes_supported: z.number().int().positive(),
    code_constraints: z.array(codeConstraintSchema),
    /** Seam's time frames an offline code may take on this lock (algoPIN's hourly, daily and one-time codes). */
    offline_time_frame_options: z.array(offlineTimeFrameOptionSchema).optional(),
    /** Seam's igloohome block, on igloohome-like locks. */
    igloohome_metadata: z.object({ device_id: z.string(), device_name: z.string() }).optional(),
    backup_access_code_pool_enabled: z.boolean().optional(),
  }),
  errors: z.array(deviceIssueSchema),
  warnings: z.array(z.object({ warning_code: z.string(), message: z.string(), created_at: timestampSchema })),
  created_at: timestampSchema,
  is_managed: z.literal(true),
  custom_metadata: z.record(z.string(), z.union([z.string(), z.boolean()])),
});
export type Device = z.infer<typeof deviceSchema>;

export const providerNames = ['sandbox', 'seam', 'zwave'] as const;
export const providerNameSchema = z.enum(providerNames);
export type ProviderName = z.infer<typeof providerNameSchema>;

const storedDeviceRecordSchema = z.object({
  device: deviceSchema,
  /** Which integration programs this lock. */
  provider: providerNameSchema,
  /** The provider's own reference to the device (a Seam device_id, a Z-Wave node): any string. */
  provider_device_id: z.string().min(1).max(512),
  /** State only the device's provider reads and writes, parsed with that provider's own schema. */
  provider_state: z.record(z.string(), z.unknown()),
});

/**
 * Records written before devices named their provider were sandbox locks with a `sandbox`
 * block: they read as sandbox devices, that block becoming the provider's state.
 */
const legacyDeviceRecordSchema = z.looseObject({ device: z.looseObject({ device_id: z.string() }), sandbox: z.unknown() });
const fromLegacyShape = (value: unknown): unknown => {
  const legacy = legacyDeviceRecordSchema.safeParse(value);
  if (!legacy.success || (typeof value === 'object' && value !== null && 'provider' in value)) return value;
  const { sandbox, ...rest } = legacy.data;
  return { ...rest, provider: 'sandbox', provider_device_id: legacy.data.device.device_id, provider_state: sandbox };
};

/** A device as stored: the Seam device object, and which provider owns it. */
export const deviceRecordSchema = z.preprocess(fromLegacyShape, storedDeviceRecordSchema);
export type DeviceRecord = z.infer<typeof storedDeviceRecordSchema>;

export const getDeviceInputSchema = z.object({ device_id: idSchema });
export const listDevicesInputSchema = z.object({
  device_ids: z.array(idSchema).max(1000).optional(),
  limit: z.number().int().positive().max(1000).optional(),
});
export const simulateDeviceInputSchema = z.object({ device_id: idSchema });
