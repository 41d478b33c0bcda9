import * as z from 'zod';
import { generatedCodeSchema } from '../access-codes/generate-code';
import { createMultipleInputSchema, updateMultipleInputSchema } from '../access-codes/linked-codes';
import { pullBackupInputSchema } from '../access-codes/pull-backup-access-code';
import {
  accessCodeSchema,
  createAccessCodeInputSchema,
  deleteAccessCodeInputSchema,
  generateCodeInputSchema,
  getAccessCodeInputSchema,
  listAccessCodesInputSchema,
  updateAccessCodeInputSchema,
} from '../access-codes/schemas';
import { getTimelineInputSchema, timelineEventSchema, timelinePaginationSchema } from '../access-codes/timeline';
import {
  convertToManagedInputSchema,
  deleteUnmanagedInputSchema,
  getUnmanagedInputSchema,
  listUnmanagedInputSchema,
  simulateExternalChangeInputSchema,
  simulateUnmanagedInputSchema,
  unmanagedAccessCodeSchema,
  updateUnmanagedInputSchema,
} from '../access-codes/unmanaged-schemas';
import { type ActionType, actionAttemptSchema, getActionAttemptInputSchema } from '../action-attempts/schemas';
import {
  connectedAccountSchema,
  deleteConnectedAccountInputSchema,
  getConnectedAccountInputSchema,
  listConnectedAccountsInputSchema,
  syncConnectedAccountInputSchema,
  updateConnectedAccountInputSchema,
} from '../connected-accounts/schemas';
import { reportDeviceConstraintsInputSchema } from '../devices/report-constraints';
import { deviceSchema, getDeviceInputSchema, listDevicesInputSchema, simulateDeviceInputSchema } from '../devices/schemas';
import { eventSchema, getEventInputSchema, listEventsInputSchema } from '../events/schemas';
import { getLockInputSchema, listLocksInputSchema, lockActionInputSchema, simulateKeypadEntryInputSchema } from '../locks/schemas';
import {
  clientSessionIdInputSchema,
  clientSessionSchema,
  createClientSessionInputSchema,
  getClientSessionInputSchema,
  getOrCreateClientSessionInputSchema,
  grantAccessInputSchema,
  listClientSessionsInputSchema,
} from '../principals/schemas';
import { createWebhookInputSchema, listWebhooksInputSchema, updateWebhookInputSchema, webhookIdInputSchema, webhookSchema } from '../webhooks/schemas';
import { getWorkspaceInputSchema, listWorkspacesInputSchema, seamWorkspaceSchema } from '../workspaces/workspace-queries';
import { paginationSchema } from './pagination';
import type { RoutePath } from './routes';

/**
 * A resource of the API: a component of the OpenAPI document, `$ref`'d from every answer that
 * carries it, tied by `x-route-path` to the routes that serve it (as Seam's tools require).
 */
const resource = <S extends z.ZodType>(schema: S, id: string, routePath: string | undefined, description: string): S =>
  schema.meta({ id, description, ...(routePath !== undefined && { 'x-route-path': routePath }) });

export const resources = {
  access_code: resource(accessCodeSchema, 'access_code', '/access_codes', 'A managed access code: a PIN Latchkey sets on a lock and keeps there for its time frame.'),
  generated_code: resource(
    generatedCodeSchema,
    'generated_code',
    '/access_codes',
    "Latchkey's addition: a PIN the device accepts, as generate_code answers it (Seam's document names an access code there).",
  ),
  timeline_event: resource(
    timelineEventSchema,
    'timeline_event',
    '/access_codes',
    "Latchkey's addition: one event of an access code's history (Seam's document has it inline in get_timeline's answer).",
  ),
  unmanaged_access_code: resource(unmanagedAccessCodeSchema, 'unmanaged_access_code', '/access_codes/unmanaged', 'A code on a lock that Latchkey did not set.'),
  action_attempt: resource(actionAttemptSchema, 'action_attempt', '/action_attempts', 'The progress of an action on a lock.'),
  device: resource(deviceSchema, 'device', '/devices', 'A lock.'),
  event: resource(eventSchema, 'event', '/events', 'An access_code.* or lock.* event.'),
  connected_account: resource(connectedAccountSchema, 'connected_account', '/connected_accounts', 'An account of an integration whose locks Latchkey programs.'),
  client_session: resource(clientSessionSchema, 'client_session', '/client_sessions', 'A session of one user of an app, with the devices it may reach.'),
  webhook: resource(webhookSchema, 'webhook', '/webhooks', 'An endpoint that receives the workspace’s events.'),
  workspace: resource(seamWorkspaceSchema, 'workspace', '/workspaces', 'A workspace.'),
  pagination: resource(paginationSchema, 'pagination', undefined, 'Where the next page of a list starts.'),
};

/** What one route takes and answers, for its handler and for the OpenAPI document. */
export interface RouteContract {
  /** The parameters, as body or query string; absent for a route that reads the raw request. */
  input?: z.ZodObject;
  /** The 200 answer without `ok` (added to every answer). */
  answer: z.ZodObject;
  /** The answer's key holding the resource (Seam's `x-response-key`); null when it holds none. */
  responseKey: string | null;
  /** Short title (Seam's `x-title`). */
  title: string;
  /** Set on Latchkey's own routes: what it is, marked as Latchkey's addition in the document. */
  latchkey?: string;
  /** The action attempt a write starts (Seam's `x-action-attempt-type`). */
  actionAttemptType?: ActionType;
  /** The answer is sent as it is, without Seam's `ok`. */
  bare?: true;
}

const r = resources;
const nothing = z.object({});
const one = <K extends string, S extends z.ZodType>(key: K, schema: S) => z.object({ [key]: schema } as { [P in K]: S });
const list = <K extends string, S extends z.ZodType>(key: K, schema: S) => z.object({ [key]: z.array(schema) } as { [P in K]: z.ZodArray<S> });
const paged = <K extends string, S extends z.ZodType>(key: K, schema: S) => list(key, schema).extend({ pagination: r.pagination });
const attempt = one('action_attempt', r.action_attempt);

/** Every route of the routes table, what it takes and what it answers: a route missing here does not compile. */
export const routeContracts = {
  '/access_codes/create': {
    input: createAccessCodeInputSchema,
    answer: z.object({ access_code: r.access_code, action_attempt: r.action_attempt }),
    responseKey: 'access_code',
    title: 'Create an Access Code',
    actionAttemptType: 'CREATE_ACCESS_CODE',
  },
  '/access_codes/get': { input: getAccessCodeInputSchema, answer: one('access_code', r.access_code), responseKey: 'access_code', title: 'Get an Access Code' },
  '/access_codes/generate_code': { input: generateCodeInputSchema, answer: one('generated_code', r.generated_code), responseKey: 'generated_code', title: 'Generate a Code' },
  '/access_codes/list': { input: listAccessCodesInputSchema, answer: paged('access_codes', r.access_code), responseKey: 'access_codes', title: 'List Access Codes' },
  '/access_codes/update': { input: updateAccessCodeInputSchema, answer: attempt, responseKey: null, title: 'Update an Access Code', actionAttemptType: 'UPDATE_ACCESS_CODE' },
  '/access_codes/delete': { input: deleteAccessCodeInputSchema, answer: attempt, responseKey: null, title: 'Delete an Access Code', actionAttemptType: 'DELETE_ACCESS_CODE' },
  '/access_codes/create_multiple': { input: createMultipleInputSchema, answer: list('access_codes', r.access_code), responseKey: 'access_codes', title: 'Create Multiple Linked Access Codes' },
  '/access_codes/update_multiple': { input: updateMultipleInputSchema, answer: nothing, responseKey: null, title: 'Update Multiple Linked Access Codes' },
  '/access_codes/pull_backup_access_code': {
    input: pullBackupInputSchema,
    answer: z.object({ access_code: r.access_code, backup_access_code: r.access_code }),
    responseKey: 'access_code',
    title: 'Pull a Backup Access Code',
  },
  '/access_codes/report_device_constraints': { input: reportDeviceConstraintsInputSchema, answer: nothing, responseKey: null, title: 'Report Device Access Code Constraints' },
  '/access_codes/get_timeline': {
    input: getTimelineInputSchema,
    answer: list('timeline_events', r.timeline_event).extend({ pagination: timelinePaginationSchema }),
    responseKey: 'timeline_events',
    title: 'Get Access Code Timeline',
  },
  '/access_codes/unmanaged/list': { input: listUnmanagedInputSchema, answer: paged('access_codes', r.unmanaged_access_code), responseKey: 'access_codes', title: 'List Unmanaged Access Codes' },
  '/access_codes/unmanaged/get': { input: getUnmanagedInputSchema, answer: one('access_code', r.unmanaged_access_code), responseKey: 'access_code', title: 'Get an Unmanaged Access Code' },
  '/access_codes/unmanaged/update': { input: updateUnmanagedInputSchema, answer: nothing, responseKey: null, title: 'Update an Unmanaged Access Code' },
  '/access_codes/unmanaged/delete': {
    input: deleteUnmanagedInputSchema,
    answer: attempt,
    responseKey: null,
    title: 'Delete an Unmanaged Access Code',
    actionAttemptType: 'DELETE_ACCESS_CODE',
  },
  '/access_codes/unmanaged/convert_to_managed': { input: convertToManagedInputSchema, answer: nothing, responseKey: null, title: 'Convert an Unmanaged Access Code' },
  '/access_codes/simulate/create_unmanaged_access_code': {
    input: simulateUnmanagedInputSchema,
    answer: one('access_code', r.unmanaged_access_code),
    responseKey: 'access_code',
    title: 'Simulate Creating an Unmanaged Access Code',
  },
  '/access_codes/simulate/external_modification': {
    input: simulateExternalChangeInputSchema,
    answer: nothing,
    responseKey: null,
    title: 'Simulate a Change on the Lock outside Latchkey',
    latchkey: 'Sandbox locks only: changes or removes a managed code on the lock behind Latchkey’s back.',
  },
  '/action_attempts/get': { input: getActionAttemptInputSchema, answer: attempt, responseKey: 'action_attempt', title: 'Get an Action Attempt' },
  '/devices/get': { input: getDeviceInputSchema, answer: one('device', r.device), responseKey: 'device', title: 'Get a Device' },
  '/devices/list': { input: listDevicesInputSchema, answer: paged('devices', r.device), responseKey: 'devices', title: 'List Devices' },
  '/devices/simulate/connect': { input: simulateDeviceInputSchema, answer: nothing, responseKey: null, title: 'Simulate Device Connection' },
  '/devices/simulate/disconnect': { input: simulateDeviceInputSchema, answer: nothing, responseKey: null, title: 'Simulate Device Disconnection' },
  '/locks/get': { input: getLockInputSchema, answer: z.object({ device: r.device, lock: r.device }), responseKey: 'device', title: 'Get a Lock' },
  '/locks/list': { input: listLocksInputSchema, answer: z.object({ devices: z.array(r.device), locks: z.array(r.device) }), responseKey: 'devices', title: 'List Locks' },
  '/locks/unlock_door': { input: lockActionInputSchema, answer: attempt, responseKey: null, title: 'Unlock a Lock', actionAttemptType: 'UNLOCK_DOOR' },
  '/locks/lock_door': { input: lockActionInputSchema, answer: attempt, responseKey: null, title: 'Lock a Lock', actionAttemptType: 'LOCK_DOOR' },
  '/locks/simulate/keypad_code_entry': {
    input: simulateKeypadEntryInputSchema,
    answer: attempt,
    responseKey: null,
    title: 'Simulate a Keypad Code Entry',
    actionAttemptType: 'SIMULATE_KEYPAD_CODE_ENTRY',
  },
  '/events/get': { input: getEventInputSchema, answer: one('event', r.event), responseKey: 'event', title: 'Get an Event' },
  '/events/list': { input: listEventsInputSchema, answer: list('events', r.event), responseKey: 'events', title: 'List Events' },
  '/connected_accounts/get': { input: getConnectedAccountInputSchema, answer: one('connected_account', r.connected_account), responseKey: 'connected_account', title: 'Get a Connected Account' },
  '/connected_accounts/list': {
    input: listConnectedAccountsInputSchema,
    answer: paged('connected_accounts', r.connected_account),
    responseKey: 'connected_accounts',
    title: 'List Connected Accounts',
  },
  '/connected_accounts/update': {
    input: updateConnectedAccountInputSchema,
    answer: one('connected_account', r.connected_account),
    responseKey: 'connected_account',
    title: 'Update a Connected Account',
  },
  '/connected_accounts/delete': { input: deleteConnectedAccountInputSchema, answer: nothing, responseKey: null, title: 'Delete a Connected Account' },
  '/connected_accounts/sync': { input: syncConnectedAccountInputSchema, answer: nothing, responseKey: null, title: 'Sync a Connected Account' },
  '/webhooks/seam/{connected_account_id}': {
    answer: nothing,
    responseKey: null,
    title: 'Receive a Seam Webhook',
    latchkey: 'Seam’s webhooks for a connected Seam workspace, signed with Svix (no credential): the body is a Seam event.',
  },
  '/client_sessions/create': { input: createClientSessionInputSchema, answer: one('client_session', r.client_session), responseKey: 'client_session', title: 'Create a Client Session' },
  '/client_sessions/get': { input: getClientSessionInputSchema, answer: one('client_session', r.client_session), responseKey: 'client_session', title: 'Get a Client Session' },
  '/client_sessions/get_or_create': {
    input: getOrCreateClientSessionInputSchema,
    answer: one('client_session', r.client_session),
    responseKey: 'client_session',
    title: 'Get or Create a Client Session',
  },
  '/client_sessions/grant_access': { input: grantAccessInputSchema, answer: one('client_session', r.client_session), responseKey: 'client_session', title: 'Grant Access to a Client Session' },
  '/client_sessions/list': { input: listClientSessionsInputSchema, answer: list('client_sessions', r.client_session), responseKey: 'client_sessions', title: 'List Client Sessions' },
  '/client_sessions/revoke': { input: clientSessionIdInputSchema, answer: nothing, responseKey: null, title: 'Revoke a Client Session' },
  '/client_sessions/delete': { input: clientSessionIdInputSchema, answer: nothing, responseKey: null, title: 'Delete a Client Session' },
  '/webhooks/create': { input: createWebhookInputSchema, answer: one('webhook', r.webhook), responseKey: 'webhook', title: 'Create a Webhook' },
  '/webhooks/get': { input: webhookIdInputSchema, answer: one('webhook', r.webhook), responseKey: 'webhook', title: 'Get a Webhook' },
  '/webhooks/list': { input: listWebhooksInputSchema, answer: list('webhooks', r.webhook), responseKey: 'webhooks', title: 'List Webhooks' },
  '/webhooks/update': { input: updateWebhookInputSchema, answer: nothing, responseKey: null, title: 'Update a Webhook' },
  '/webhooks/delete': { input: webhookIdInputSchema, answer: nothing, responseKey: null, title: 'Delete a Webhook' },
  '/workspaces/get': { input: getWorkspaceInputSchema, answer: one('workspace', r.workspace), responseKey: 'workspace', title: 'Get a Workspace' },
  '/workspaces/list': { input: listWorkspacesInputSchema, answer: list('workspaces', r.workspace), responseKey: 'workspaces', title: 'List Workspaces' },
  '/openapi.json': {
    answer: z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.looseObject({}) }),
    bare: true,
    responseKey: null,
    title: 'Get the OpenAPI Document',
    latchkey: 'This document: generated from the schemas that parse every request, served without a credential.',
  },
} satisfies Record<RoutePath, RouteContract>;
