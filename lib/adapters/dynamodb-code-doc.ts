import * as z from 'zod';
import { type AccessCode, type AccessCodeRecord, accessCodeRecordSchema, accessCodeSchema } from '../access-codes/schemas';
import { actionAttemptRecordSchema, type ActionAttemptRecord } from '../action-attempts/schemas';
import { type Item, fromItem } from './dynamodb-doc';
import { accessCodeKeys } from './dynamodb-keys';

/*
 * How a managed code is stored wherever the table keeps one (its own item, its gone item, the
 * result of the action attempt that set it): without the fields that hold their usual value,
 * put back on read. DynamoDB bills a write by the kilobyte, for the item and for each GSI copy
 * of it, so a code item under 1 KB costs one write unit a copy instead of two. Items stored
 * whole (before this) read the same: a field is put back only where it is missing.
 */

/** A usual value: null, a boolean or an empty list. */
type Usual = null | boolean | readonly [];
type Defaults = Readonly<Record<string, Usual>>;

/** The required fields of the Seam object left out while they hold these values. */
const codeDefaults = {
  name: null,
  code: null,
  common_code_key: null,
  errors: [],
  warnings: [],
  is_managed: true,
  is_backup: false,
  is_backup_access_code_available: false,
  is_external_modification_allowed: false,
  is_one_time_use: false,
  is_offline_access_code: false,
  is_scheduled_on_device: false,
  is_waiting_for_code_assignment: false,
  pulled_backup_access_code_id: null,
  pending_mutations: [],
} satisfies Partial<Record<keyof AccessCode, Usual>>;

/** The required fields of the record around it left out while they hold these values (a new code's). */
const recordDefaults = {
  prefer_native_scheduling: true,
  attempt_for_offline_device: true,
  pending_action_attempts: [],
} satisfies Partial<Record<keyof AccessCodeRecord, Usual>>;

const isDefault = (value: unknown, fallback: Usual | undefined) => fallback !== undefined && (value === fallback || (Array.isArray(fallback) && Array.isArray(value) && value.length === 0));

const leaveOut = (value: object, defaults: Defaults): Record<string, unknown> =>
  Object.fromEntries(Object.entries(value).filter(([key, field]) => !(Object.hasOwn(defaults, key) && isDefault(field, defaults[key]))));

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `value` with each missing default put back (a fresh array for each empty list); anything but an object as it is. */
function putBack(value: unknown, defaults: Defaults): unknown {
  if (!isObject(value)) return value;
  const whole: Record<string, unknown> = { ...value };
  for (const [key, fallback] of Object.entries(defaults)) {
    if (!Object.hasOwn(whole, key)) whole[key] = Array.isArray(fallback) ? [] : fallback;
  }
  return whole;
}

/** The Seam object of a code as stored. */
export const storedAccessCode = (code: AccessCode): Record<string, unknown> => leaveOut(code, codeDefaults);

/** The fields of a code item's Seam object that its keys hold (accessCodeKeys.fieldsOf reads them back). */
const keyFields = ['workspace_id', 'access_code_id', 'device_id', 'created_at'] as const;

/**
 * A code's record as stored in its item's `doc`: without its defaults, nor the fields its keys
 * hold. `version` is always kept: every write's condition reads it.
 */
export function storedCodeRecord(record: AccessCodeRecord): Record<string, unknown> {
  const code = storedAccessCode(record.access_code);
  for (const field of keyFields) delete code[field];
  return { ...leaveOut(record, recordDefaults), access_code: code };
}

/**
 * An action attempt as stored: a result carrying a code (create and update attempts) carries
 * it as a code item does.
 */
export function storedActionAttempt(record: ActionAttemptRecord): ActionAttemptRecord {
  const { action_attempt: attempt } = record;
  if (attempt.status !== 'success' || !isObject(attempt.result.access_code)) return record;
  return { ...record, action_attempt: { ...attempt, result: { ...attempt.result, access_code: leaveOut(attempt.result.access_code, codeDefaults) } } };
}

/** A code's Seam object as read back from any item that stores one. */
export const storedAccessCodeSchema = z.preprocess((value) => putBack(value, codeDefaults), accessCodeSchema);

/** A code item's record: its `doc` (whole, or stored without its defaults and key fields) with what it left out put back. */
export function recordOfCodeItem(item: Item): AccessCodeRecord {
  const { doc } = fromItem({ doc: item.doc ?? { NULL: true } });
  const fromKeys = accessCodeKeys.fieldsOf({ pk: item.pk?.S, sk: item.sk?.S, gsi1pk: item.gsi1pk?.S, gsi1sk: item.gsi1sk?.S });
  return storedCodeRecordSchema.parse(isObject(doc) && isObject(doc.access_code) ? { ...doc, access_code: { ...fromKeys, ...doc.access_code } } : doc);
}

/** A code item's `doc`, whole or stored without its defaults. */
const storedCodeRecordSchema = z.preprocess((value) => {
  const record = putBack(value, recordDefaults);
  return isObject(record) ? { ...record, access_code: putBack(record.access_code, codeDefaults) } : record;
}, accessCodeRecordSchema);

/** An action attempt item's `doc`: a result's code gets its defaults back (the result itself is not parsed, so they are put back here). */
export const storedActionAttemptSchema = z.preprocess(withResultCodeWhole, actionAttemptRecordSchema);

function withResultCodeWhole(value: unknown): unknown {
  const attempt = isObject(value) ? value.action_attempt : undefined;
  const result = isObject(attempt) ? attempt.result : undefined;
  if (!isObject(value) || !isObject(attempt) || !isObject(result) || !isObject(result.access_code)) return value;
  return { ...value, action_attempt: { ...attempt, result: { ...result, access_code: inSchemaOrder(putBack(result.access_code, codeDefaults)) } } };
}

const codeFieldOrder = Object.keys(accessCodeSchema.shape);

/** A code's fields in the order its schema lists them (as a parsed code has them), others after. */
function inSchemaOrder(value: unknown): unknown {
  if (!isObject(value)) return value;
  const ordered: Record<string, unknown> = {};
  for (const key of codeFieldOrder) if (Object.hasOwn(value, key)) ordered[key] = value[key];
  return Object.assign(ordered, value);
}
