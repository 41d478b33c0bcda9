import * as z from 'zod';
import type { DeviceRecord } from '../devices/schemas';
import { DuplicateAccessCodeError, GeneratedPinTakenError, InvalidInputError, accessCodeNotFound } from '../errors';
import type { SeamEvent } from '../events/schemas';
import { answerOnCommit, holdKeyForStatedAnswer } from '../idempotency/unit-of-work';
import type { Deps } from '../ports';
import { retry, retryPolicies } from '../retry';
import { type Principal, grantsDeviceId } from '../principals/principal';
import { idSchema, isoDateTimeSchema } from '../schema-helpers';
import { appearanceFor } from './appearance';
import { fillBackupPool, withBackupAvailability } from './backup-pool';
import { checkChosenPin, freshPin, requireDevice } from './assign-pin';
import { checkCodeOptions } from './code-rules';
import { accessCodeEvent } from './events';
import { newCodeRecord } from './new-code';
import { type AccessCode, type AccessCodeRecord, codeSettingsShape, nameSchema, pinSchema, timeFrameCheck } from './schemas';
import { sharedPin, sharingGroup } from './shared-pin';
import { updateAccessCode } from './update-access-code';

/** The most devices one create_multiple call takes: all its codes are written in one transaction. */
export const maxLinkedDevices = 25;

export const createMultipleInputSchema = z
  .object({
    device_ids: z
      .array(idSchema)
      .min(1)
      .max(maxLinkedDevices)
      .refine((ids) => new Set(ids).size === ids.length, { error: 'Must not repeat a device' }),
    behavior_when_code_cannot_be_shared: z.enum(['throw', 'create_random_code']).default('throw'),
    code: pinSchema.optional(),
    name: nameSchema.optional(),
    starts_at: isoDateTimeSchema.optional(),
    ends_at: isoDateTimeSchema.optional(),
    prefer_native_scheduling: codeSettingsShape.prefer_native_scheduling,
    preferred_code_length: codeSettingsShape.preferred_code_length,
    use_backup_access_code_pool: codeSettingsShape.use_backup_access_code_pool,
    allow_external_modification: codeSettingsShape.allow_external_modification,
    is_external_modification_allowed: codeSettingsShape.is_external_modification_allowed,
    attempt_for_offline_device: codeSettingsShape.attempt_for_offline_device,
  })
  .superRefine((input, ctx) => {
    if ((input.starts_at === undefined) !== (input.ends_at === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'Both starts_at and ends_at must be provided if one is' });
    }
    timeFrameCheck(input, ctx);
  });
export type CreateMultipleInput = z.infer<typeof createMultipleInputSchema>;

export const updateMultipleInputSchema = z
  .object({
    common_code_key: z.string().min(1).max(255),
    name: nameSchema.optional(),
    starts_at: isoDateTimeSchema.optional(),
    ends_at: isoDateTimeSchema.optional(),
  })
  .superRefine(timeFrameCheck);
export type UpdateMultipleInput = z.infer<typeof updateMultipleInputSchema>;

type LinkedDeps = Pick<Deps, 'accessCodes' | 'actionAttempts' | 'devices' | 'clock' | 'ids' | 'providers' | 'settings'>;

/** The PIN of each device: the client's, one PIN every lock of the group accepts, or (create_random_code) a PIN of its own. */
async function pinsFor(deps: LinkedDeps, devices: readonly DeviceRecord[], input: CreateMultipleInput) {
  if (input.code !== undefined) {
    for (const device of devices) await checkChosenPin(deps, device, input.code, 'code');
    const code = input.code;
    return devices.map((device) => ({ device, pin: code, shared: false }));
  }
  const { sharing, apart } = sharingGroup(devices.map((d) => d.device));
  const inUse = (await Promise.all(sharing.map((d) => deps.accessCodes.listPins(d.workspace_id, d.device_id)))).flat();
  const pin = sharedPin(sharing, inUse, input.preferred_code_length);
  const alone = pin === undefined ? devices : devices.filter((d) => apart.includes(d.device));
  if (alone.length > 0 && input.behavior_when_code_cannot_be_shared === 'throw') {
    const names = alone.map((d) => d.device.display_name).join(', ');
    throw InvalidInputError.forField('behavior_when_code_cannot_be_shared', `No PIN fits the rules of every device (not shared by: ${names}); set create_random_code to give those their own PIN`);
  }
  return Promise.all(
    devices.map(async (device) =>
      pin !== undefined && !alone.includes(device) ? { device, pin, shared: true } : { device, pin: await freshPin(deps, device, input.preferred_code_length), shared: false },
    ),
  );
}

/**
 * Creates one code on each device, all or none, sharing one PIN under a new common_code_key
 * (Seam's linked codes). A PIN the client chooses is used on every device without a key, as
 * Seam does. Where no PIN fits every lock's rules, `behavior_when_code_cannot_be_shared`
 * decides: refuse, or give the locks that cannot share a PIN of their own (and no key).
 */
export async function createMultipleAccessCodes(deps: LinkedDeps, principal: Principal, input: CreateMultipleInput): Promise<AccessCode[]> {
  const workspaceId = principal.workspace_id;
  const devices = await Promise.all(input.device_ids.map((id) => requireDevice(deps, principal, id)));
  const now = deps.clock.now();
  for (const device of devices) checkCodeOptions(device, input, now);
  const appearances = await Promise.all(devices.map((d) => appearanceFor(deps, d.device, input.name ?? null)));
  // Generated PINs can lose a race with a concurrent create: pick again.
  return retry(retryPolicies.pinRace, async () => {
    const pins = await pinsFor(deps, devices, input);
    const commonCodeKey = pins.some((p) => p.shared) ? `auto_set_by_create_multiple_${deps.ids.uuid()}` : null;
    const records: AccessCodeRecord[] = pins.map(({ device, pin, shared }, i) =>
      newCodeRecord(deps, device, input, { workspaceId, pin, commonCodeKey: shared ? commonCodeKey : null, appearance: appearances[i] ?? null, now }),
    );
    const events: SeamEvent[] = records.map((r, i) => accessCodeEvent(deps.ids, r.access_code, (devices[i] as DeviceRecord).device, 'access_code.created', now));
    try {
      await deps.accessCodes.createMany(records, { events });
    } catch (error) {
      if (error instanceof DuplicateAccessCodeError && input.code === undefined) throw new GeneratedPinTakenError();
      throw error;
    }
    if (!input.use_backup_access_code_pool) return records.map((r) => r.access_code);
    for (const device of devices) await fillBackupPool(deps, device);
    return withBackupAvailability(deps, records);
  });
}

/**
 * Changes the name and time frame of every code sharing a common_code_key (Seam's
 * update_multiple). Codes being deleted are left alone.
 */
export async function updateMultipleAccessCodes(deps: LinkedDeps, principal: Principal, input: UpdateMultipleInput): Promise<void> {
  const linked = await deps.accessCodes.listByCommonCodeKey(principal.workspace_id, input.common_code_key);
  const visible = [];
  for (const record of linked) {
    if (await grantsDeviceId(deps, principal, record.access_code.device_id)) visible.push(record);
  }
  if (visible.length === 0) throw accessCodeNotFound();
  const { common_code_key: _key, ...change } = input;
  const changing = visible.filter((r) => r.access_code.status !== 'removing');
  // One write per code: under an Idempotency-Key only the last commits it, so a process stopped midway leaves a retry to finish the rest.
  holdKeyForStatedAnswer();
  for (const [i, record] of changing.entries()) {
    if (i === changing.length - 1) answerOnCommit({});
    await updateAccessCode(deps, principal, { access_code_id: record.access_code.access_code_id, ...change });
  }
}
