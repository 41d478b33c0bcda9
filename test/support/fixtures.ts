import { createHash, randomUUID } from 'node:crypto';
import { type AccessCode, type AccessCodeRecord, accessCodeRecordSchema } from '../../lib/access-codes/schemas';
import { type ActionAttemptRecord, actionAttemptRecordSchema } from '../../lib/action-attempts/schemas';
import { buildSandboxDevices } from '../../lib/providers/sandbox';
import { type Device, type DeviceRecord, deviceRecordSchema } from '../../lib/devices/schemas';
import { type AccessCodeEventType, type SeamEvent, eventSchema } from '../../lib/events/schemas';
import { type ApiKeyRecord, type Workspace, apiKeyRecordSchema, workspaceSchema } from '../../lib/workspaces/schemas';

/*
 * Realistic stored records. Every builder parses its result with the record's schema, so a
 * fixture that drifts from the schema fails loudly instead of testing the wrong shape.
 */

export const fixtureTime = '2026-11-23T12:00:00.000Z';

export function workspaceFixture(overrides: Partial<Workspace> = {}): Workspace {
  return workspaceSchema.parse({
    workspace_id: randomUUID(),
    name: 'Lakeside Rentals',
    is_sandbox: true,
    created_at: fixtureTime,
    ...overrides,
  });
}

export function apiKeyFixture(workspaceId: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const secret = `seam_test_${randomUUID().replaceAll('-', '')}`;
  return apiKeyRecordSchema.parse({
    api_key_id: randomUUID(),
    workspace_id: workspaceId,
    key_hash: createHash('sha256').update(secret).digest('hex'),
    key_prefix: secret.slice(0, 12),
    created_at: fixtureTime,
    ...overrides,
  });
}

/** A sandbox lock (the first sandbox model) of the workspace, with `overrides` on the device. */
export function deviceFixture(workspaceId: string, overrides: Partial<Device> = {}): DeviceRecord {
  const [lock] = buildSandboxDevices(workspaceId, randomUUID, new Date(fixtureTime));
  if (!lock) throw new Error('no sandbox models');
  return deviceRecordSchema.parse({ ...lock, device: { ...lock.device, custom_metadata: { unit: '4B', pets_allowed: false }, ...overrides } });
}

export interface AccessCodeFixtureOptions {
  accessCode?: Partial<AccessCode>;
  record?: Partial<Omit<AccessCodeRecord, 'access_code'>>;
}

export function accessCodeFixture(workspaceId: string, deviceId: string, options: AccessCodeFixtureOptions = {}): AccessCodeRecord {
  return accessCodeRecordSchema.parse({
    access_code: {
      workspace_id: workspaceId,
      access_code_id: randomUUID(),
      device_id: deviceId,
      name: 'Guest stay',
      code: '4817',
      common_code_key: null,
      type: 'time_bound',
      status: 'setting',
      created_at: fixtureTime,
      starts_at: '2026-11-24T15:00:00.000Z',
      ends_at: '2026-11-27T11:00:00.000Z',
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
      pending_mutations: [
        {
          mutation_code: 'creating',
          message: 'Setting the code on the device',
          created_at: fixtureTime,
          to: { code: '4817', starts_at: '2026-11-24T15:00:00.000Z' },
        },
      ],
      ...options.accessCode,
    },
    version: 0,
    prefer_native_scheduling: false,
    attempt_for_offline_device: true,
    due_at: '2026-11-24T14:00:00.000Z',
    pending_action_attempts: [],
    ...options.record,
  });
}

export function actionAttemptFixture(workspaceId: string, overrides: Partial<ActionAttemptRecord> = {}): ActionAttemptRecord {
  return actionAttemptRecordSchema.parse({
    workspace_id: workspaceId,
    created_at: fixtureTime,
    action_attempt: { action_attempt_id: randomUUID(), action_type: 'CREATE_ACCESS_CODE', status: 'pending', result: null, error: null },
    ...overrides,
  });
}

export interface EventFixtureOptions {
  accessCodeId?: string;
  deviceId?: string;
  occurredAt?: string;
  eventType?: AccessCodeEventType;
}

export function eventFixture(workspaceId: string, options: EventFixtureOptions = {}): SeamEvent {
  const occurredAt = options.occurredAt ?? fixtureTime;
  return eventSchema.parse({
    event_id: randomUUID(),
    workspace_id: workspaceId,
    created_at: occurredAt,
    occurred_at: occurredAt,
    event_type: options.eventType ?? 'access_code.created',
    access_code_id: options.accessCodeId ?? randomUUID(),
    device_id: options.deviceId ?? randomUUID(),
    connected_account_id: randomUUID(),
    code: '4817',
  });
}
