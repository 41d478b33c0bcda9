import type { AccessCode, AccessCodeRecord } from '../access-codes/schemas';
import type { ActionAttemptRecord } from '../action-attempts/schemas';
import type { ConnectedAccountRecord } from '../connected-accounts/schemas';
import type { EntryClaim } from '../devices/entries';
import type { CodeEvent, SeamEvent } from '../events/schemas';
import type { ClientSessionRecord, PersonalAccessTokenRecord } from '../principals/schemas';
import type { ApiKeyRecord, Workspace } from '../workspaces/schemas';
import { dueShardOfCode } from './dynamodb-table';

/**
 * Key builders for every item kind of the single table (see docs/data-model.md). Pure
 * functions of the records, so that a key is built the same way by every read and write.
 */

export interface TableKey {
  pk: string;
  sk: string;
}

export interface Gsi1Key {
  gsi1pk: string;
  gsi1sk: string;
}

/** The due-index attributes; present only while a code has pending lifecycle work (sparse index). */
export interface DueKey {
  due_shard: string;
  due_at: string;
}

const DAY_SECONDS = 86_400;
export const actionAttemptTtlDays = 30;
export const eventTtlDays = 90;

export const skPrefix = {
  device: 'DEVICE#',
  accessCode: 'CODE#',
  pin: 'PIN#',
  commonCodeKey: 'CCK#',
  actionAttempt: 'ATTEMPT#',
  event: 'EVENT#',
} as const;

const workspacePk = (workspaceId: string) => `WS#${workspaceId}`;

/** The TTL attribute's value: epoch seconds `days` after an ISO timestamp. */
export function expiresAfter(isoTimestamp: string, days: number): number {
  return Math.floor(Date.parse(isoTimestamp) / 1000) + days * DAY_SECONDS;
}

export const workspaceKeys = {
  /** The one partition listing every workspace, in creation order. */
  listPartition: 'WORKSPACES',
  key: (workspaceId: string): TableKey => ({ pk: workspacePk(workspaceId), sk: 'WORKSPACE' }),
  index: (w: Workspace): Gsi1Key => ({ gsi1pk: workspaceKeys.listPartition, gsi1sk: `${w.created_at}#${w.workspace_id}` }),
};

export const apiKeyKeys = {
  key: (keyHash: string): TableKey => ({ pk: `KEY#${keyHash}`, sk: 'KEY' }),
  /** The gsi1 partition listing a workspace's API keys. */
  listPartition: (workspaceId: string) => `${workspacePk(workspaceId)}#KEYS`,
  indexSortKey: (apiKeyId: string) => `KEY#${apiKeyId}`,
  index: (r: ApiKeyRecord): Gsi1Key => ({
    gsi1pk: apiKeyKeys.listPartition(r.workspace_id),
    gsi1sk: apiKeyKeys.indexSortKey(r.api_key_id),
  }),
};

export const deviceKeys = {
  partition: workspacePk,
  key: (workspaceId: string, deviceId: string): TableKey => ({ pk: workspacePk(workspaceId), sk: `${skPrefix.device}${deviceId}` }),
  /** A lock's place in the sweep: its own item in the due index, under the `SWEEP#<shard>` partitions. */
  sweep: (workspaceId: string, deviceId: string): TableKey => ({ pk: workspacePk(workspaceId), sk: `SWEEP#${deviceId}` }),
  sweepShard: (shard: number) => `SWEEP#${shard}`,
};

/** A sandbox lock's keypad: one slot item per code on it, and a counter of slots in use. */
export const keypadKeys = {
  slotPrefix: 'SLOT#',
  slot: (workspaceId: string, deviceId: string, accessCodeId: string): TableKey => ({
    pk: devicePartition(workspaceId, deviceId),
    sk: `SLOT#${accessCodeId}`,
  }),
  counter: (workspaceId: string, deviceId: string): TableKey => ({ pk: devicePartition(workspaceId, deviceId), sk: 'KEYPAD' }),
};

export const accessCodeKeys = {
  partition: workspacePk,
  key: (workspaceId: string, accessCodeId: string): TableKey => ({
    pk: workspacePk(workspaceId),
    sk: `${skPrefix.accessCode}${accessCodeId}`,
  }),
  /** The gsi1 partition listing one device's codes, in creation order. */
  devicePartition: (workspaceId: string, deviceId: string) => `${workspacePk(workspaceId)}#DEV#${deviceId}#CODES`,
  indexSortKey: (createdAt: string, accessCodeId: string) => `${createdAt}#${accessCodeId}`,
  index: ({ access_code: c }: AccessCodeRecord): Gsi1Key => ({
    gsi1pk: accessCodeKeys.devicePartition(c.workspace_id, c.device_id),
    gsi1sk: accessCodeKeys.indexSortKey(c.created_at, c.access_code_id),
  }),
  /** Undefined when the code has no pending work: the item then stays out of the due index. */
  due: (r: AccessCodeRecord): DueKey | undefined => (r.due_at === undefined ? undefined : { due_shard: dueShardKey(dueShardOfCode(r)), due_at: r.due_at }),
  /** The code's fields its item's keys hold (the inverse of `key` and `index`); those the keys do not have the shape of are left out. */
  fieldsOf: (keys: Partial<Record<keyof TableKey | keyof Gsi1Key, string | undefined>>): Partial<Pick<AccessCode, 'workspace_id' | 'access_code_id' | 'device_id' | 'created_at'>> => {
    const workspaceId = keys.pk?.startsWith('WS#') ? keys.pk.slice('WS#'.length) : undefined;
    const accessCodeId = keys.sk?.startsWith(skPrefix.accessCode) ? keys.sk.slice(skPrefix.accessCode.length) : undefined;
    if (workspaceId === undefined || accessCodeId === undefined) return {};
    const devicePrefix = `${workspacePk(workspaceId)}#DEV#`;
    const device = keys.gsi1pk?.startsWith(devicePrefix) && keys.gsi1pk.endsWith('#CODES') ? keys.gsi1pk.slice(devicePrefix.length, -'#CODES'.length) : undefined;
    const created = keys.gsi1sk?.endsWith(`#${accessCodeId}`) ? keys.gsi1sk.slice(0, -`#${accessCodeId}`.length) : undefined;
    return { workspace_id: workspaceId, access_code_id: accessCodeId, ...(device !== undefined && { device_id: device }), ...(created !== undefined && { created_at: created }) };
  },
};

/** A workspace's idempotency keys, by the SHA-256 of the key (hex), in its workspace's partition. */
export const idempotencyKeyKeys = {
  key: (workspaceId: string, keyDigest: string): TableKey => ({ pk: workspacePk(workspaceId), sk: `IDEM#${keyDigest}` }),
};

export const dueShardKey = (shard: number) => `DUE#${shard}`;

/** Codes found on locks that Latchkey did not set, listed per device in the order found. */
export const unmanagedCodeKeys = {
  key: (workspaceId: string, accessCodeId: string): TableKey => ({ pk: workspacePk(workspaceId), sk: `UCODE#${accessCodeId}` }),
  devicePartition: (workspaceId: string, deviceId: string) => `${workspacePk(workspaceId)}#DEV#${deviceId}#UCODES`,
  index: (workspaceId: string, deviceId: string, createdAt: string, accessCodeId: string): Gsi1Key => ({
    gsi1pk: unmanagedCodeKeys.devicePartition(workspaceId, deviceId),
    gsi1sk: `${createdAt}#${accessCodeId}`,
  }),
};

/** One partition per device holds its PIN claims and, for sandbox locks, its keypad memory. */
const devicePartition = (workspaceId: string, deviceId: string) => `${workspacePk(workspaceId)}#DEV#${deviceId}`;

export const pinClaimKeys = {
  partition: devicePartition,
  key: (workspaceId: string, deviceId: string, code: string): TableKey => ({
    pk: pinClaimKeys.partition(workspaceId, deviceId),
    sk: `${skPrefix.pin}${code}`,
  }),
  /** The claim a code holds, or undefined when it has no PIN. */
  of: ({ access_code: c }: AccessCodeRecord): TableKey | undefined => (c.code === null ? undefined : pinClaimKeys.key(c.workspace_id, c.device_id, c.code)),
  /** The PIN of a claim's sort key. */
  pinOf: (sk: string) => sk.slice(skPrefix.pin.length),
};

export const commonCodeKeyKeys = {
  key: (workspaceId: string, commonCodeKey: string): TableKey => ({
    pk: workspacePk(workspaceId),
    sk: `${skPrefix.commonCodeKey}${commonCodeKey}`,
  }),
};

/**
 * A code's history: a copy of each of its events, sorted by time, and once the code is gone a
 * record of its last state. One partition per code, so a timeline is one Query.
 */
export const codeHistoryKeys = {
  partition: (workspaceId: string, accessCodeId: string) => `${workspacePk(workspaceId)}#CODE#${accessCodeId}#HISTORY`,
  eventPrefix: 'EV#',
  /** By time, then by the event's place in the write that made it (events of one write share a time). */
  eventSortKey: (occurredAt: string, position: number, eventId: string) => `EV#${occurredAt}#${String(position).padStart(2, '0')}#${eventId}`,
  event: (e: CodeEvent, position: number): TableKey => ({
    pk: codeHistoryKeys.partition(e.workspace_id, e.access_code_id),
    sk: codeHistoryKeys.eventSortKey(e.occurred_at, position, e.event_id),
  }),
  gone: (workspaceId: string, accessCodeId: string): TableKey => ({ pk: codeHistoryKeys.partition(workspaceId, accessCodeId), sk: 'GONE' }),
  /** History items outlive the events listing by as long as a gone code's history stays readable. */
  expiresAt: (e: SeamEvent, historyDays: number) => expiresAfter(e.occurred_at, Math.max(eventTtlDays, historyDays)),
};

export const actionAttemptKeys = {
  key: (workspaceId: string, actionAttemptId: string): TableKey => ({
    pk: workspacePk(workspaceId),
    sk: `${skPrefix.actionAttempt}${actionAttemptId}`,
  }),
  expiresAt: (r: ActionAttemptRecord) => expiresAfter(r.created_at, actionAttemptTtlDays),
};

/** Keypad entries recorded, one item per device and provider entry id: a repeated report finds its claim. */
export const entryKeys = {
  claim: (c: EntryClaim): TableKey => ({ pk: `${workspacePk(c.workspace_id)}#DEVICE#${c.device_id}#ENTRIES`, sk: `ENTRY#${c.entry_id}` }),
  expiresAt: (c: EntryClaim) => expiresAfter(c.occurred_at, eventTtlDays),
};

export const eventKeys = {
  key: (workspaceId: string, eventId: string): TableKey => ({ pk: workspacePk(workspaceId), sk: `${skPrefix.event}${eventId}` }),
  /** The gsi1 partition listing a workspace's events by time. */
  listPartition: (workspaceId: string) => `${workspacePk(workspaceId)}#EVENTS`,
  index: (e: SeamEvent): Gsi1Key => ({ gsi1pk: eventKeys.listPartition(e.workspace_id), gsi1sk: `${e.occurred_at}#${e.event_id}` }),
  /**
   * Sort-key bounds that hold every event with `from <= occurred_at <= to`. `#` sorts below
   * every character of a timestamp, so `<occurred_at>#<id>` compares with a bare timestamp
   * as its occurred_at does, and `<to>$` sorts above `<to>#<any id>`.
   */
  lowerBound: (from: string) => from,
  upperBound: (to: string) => `${to}$`,
  expiresAt: (e: SeamEvent) => expiresAfter(e.created_at, eventTtlDays),
};

export const connectedAccountKeys = {
  /** Keyed by id alone: an incoming webhook names the account before any workspace is known. */
  key: (connectedAccountId: string): TableKey => ({ pk: `ACCOUNT#${connectedAccountId}`, sk: 'ACCOUNT' }),
  /** The gsi1 partition listing a workspace's connected accounts, in creation order. */
  listPartition: (workspaceId: string) => `${workspacePk(workspaceId)}#ACCOUNTS`,
  index: (r: ConnectedAccountRecord): Gsi1Key => ({
    gsi1pk: connectedAccountKeys.listPartition(r.workspace_id),
    gsi1sk: `${r.connected_account.created_at}#${r.connected_account.connected_account_id}`,
  }),
};

/** Provider credentials when no Secrets Manager is configured (local mode). */
export const secretKeys = {
  key: (name: string): TableKey => ({ pk: `SECRET#${name}`, sk: 'SECRET' }),
};

/** How long a client session's items outlive its expiry before DynamoDB's TTL removes them. */
export const clientSessionRetentionDays = 1;

export const clientSessionKeys = {
  key: (workspaceId: string, clientSessionId: string): TableKey => ({ pk: workspacePk(workspaceId), sk: `CS#${clientSessionId}` }),
  /** The gsi1 partition listing a workspace's client sessions, in creation order. */
  listPartition: (workspaceId: string) => `${workspacePk(workspaceId)}#CLIENT_SESSIONS`,
  index: (r: ClientSessionRecord): Gsi1Key => ({
    gsi1pk: clientSessionKeys.listPartition(r.workspace_id),
    gsi1sk: `${r.created_at}#${r.client_session_id}`,
  }),
  /**
   * The claim that makes a user_identifier_key name one live session of the workspace;
   * undefined when the session holds none (no key, or revoked).
   */
  claimOf: (r: ClientSessionRecord): TableKey | undefined =>
    r.user_identifier_key === null || r.revoked_at !== undefined ? undefined : clientSessionKeys.claim(r.workspace_id, r.user_identifier_key),
  claim: (workspaceId: string, userIdentifierKey: string): TableKey => ({ pk: workspacePk(workspaceId), sk: `UIK#${userIdentifierKey}` }),
  expiresAt: (r: ClientSessionRecord) => expiresAfter(r.expires_at, clientSessionRetentionDays),
};

export const publishableKeyKeys = {
  key: (keyHash: string): TableKey => ({ pk: `PKEY#${keyHash}`, sk: 'PKEY' }),
};

export const personalAccessTokenKeys = {
  key: (keyHash: string): TableKey => ({ pk: `PAT#${keyHash}`, sk: 'PAT' }),
  /** The one gsi1 partition listing every personal access token. */
  listPartition: 'PATS',
  index: (r: PersonalAccessTokenRecord): Gsi1Key => ({ gsi1pk: personalAccessTokenKeys.listPartition, gsi1sk: `${r.created_at}#${r.personal_access_token_id}` }),
};

/** Local mode only: how far the stream relay has published each shard of the table's stream. */
export const streamCheckpointKeys = {
  key: (shardId: string): TableKey => ({ pk: 'LOCAL#STREAM', sk: `SHARD#${shardId}` }),
};

/** How long a delivery claim is kept: longer than the bus or the outbox repeats an event. */
export const deliveryClaimDays = 3;
/** How long a given-up delivery stays listed for the operator. */
export const failedDeliveryDays = 30;

export const webhookKeys = {
  prefix: 'WEBHOOK#',
  partition: workspacePk,
  key: (workspaceId: string, webhookId: string): TableKey => ({ pk: workspacePk(workspaceId), sk: `WEBHOOK#${webhookId}` }),
  /** One event's delivery to one webhook, claimed once. */
  claim: (workspaceId: string, webhookId: string, eventId: string): TableKey => ({ pk: workspacePk(workspaceId), sk: `WHD#${webhookId}#${eventId}` }),
  failedPrefix: 'WHF#',
  failed: (workspaceId: string, failedAt: string, messageId: string): TableKey => ({ pk: workspacePk(workspaceId), sk: `WHF#${failedAt}#${messageId}` }),
  /** A delivery parked until its next attempt is near: one per message and attempt. */
  parked: (workspaceId: string, messageId: string, attempt: number): TableKey => ({ pk: workspacePk(workspaceId), sk: `WHP#${messageId}#${attempt}` }),
  /** Parked deliveries sit in the due index under a partition of their own, never one of the engine's shards. */
  parkedShard: 'WEBHOOKS_PARKED',
};

/** How long past its release a parked delivery's item is kept at most (TTL), should it never be released. */
export const parkedDeliveryDays = 3;
