import type { LifecycleSettings } from './access-codes/lifecycle';
import type { AccessCode, AccessCodeRecord } from './access-codes/schemas';
import type { OccupiedSpan } from './access-codes/occupied-span';
import type { UnmanagedCodeRecord } from './access-codes/unmanaged-schemas';
import type { ActionAttemptRecord } from './action-attempts/schemas';
import type { AccountSourceRegistry } from './connected-accounts/account-source';
import type { ConnectedAccountRecord } from './connected-accounts/schemas';
import type { ProviderRegistry } from './devices/lock-provider';
import type { EntryClaim, EntryReport, EntryResult } from './devices/entries';
import type { DeviceRecord } from './devices/schemas';
import type { ListEventsInput, SeamEvent } from './events/schemas';
import type { ClientSessionRecord, PersonalAccessTokenRecord, PublishableKeyRecord } from './principals/schemas';
import type { KeptAnswer, KeyClaimResult } from './idempotency/schemas';
import type { KeyClaim } from './idempotency/unit-of-work';
import type { FailedDelivery, WebhookDelivery, WebhookRecord } from './webhooks/schemas';
import type { ApiKeyRecord, Workspace } from './workspaces/schemas';

/** Time is a port so that tests move a clock instead of sleeping. */
export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  uuid(): string;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, or null on the last page. */
  nextCursor: string | null;
}

/** What else a code write carries, committed in the same atomic write as the code itself. */
export interface WriteExtras {
  attempts?: ActionAttemptRecord[];
  events?: SeamEvent[];
  /** A keypad entry this write records: the write fails with EntryAlreadyRecordedError if it was recorded before. */
  entry?: EntryClaim;
}

export interface ListAccessCodesQuery {
  deviceId?: string;
  search?: string;
  limit: number;
  cursor?: string;
}

/**
 * Managed access codes. Every method is scoped to a workspace; PIN uniqueness per device and
 * optimistic versioning are enforced by the store itself, atomically.
 */
export interface AccessCodeRepository {
  get(workspaceId: string, accessCodeId: string): Promise<AccessCodeRecord | undefined>;
  /**
   * The managed codes holding a PIN on a device: one, or several whose spans do not overlap (see
   * pin-holders.ts). `except`: a holder the caller has in hand, neither read nor listed.
   */
  listByPin(workspaceId: string, deviceId: string, code: string, except?: string): Promise<AccessCodeRecord[]>;
  getMany(workspaceId: string, accessCodeIds: readonly string[]): Promise<AccessCodeRecord[]>;
  list(workspaceId: string, query: ListAccessCodesQuery): Promise<Page<AccessCodeRecord>>;
  /** The PINs held on a device by managed codes (one query): at any time, or only those taken during `during`. */
  listPins(workspaceId: string, deviceId: string, during?: OccupiedSpan): Promise<string[]>;
  /** Which of `pins` a managed code holds on the device, at any time or during `during`: one read of each PIN's claim, however many codes the lock holds. */
  pinsHeld(workspaceId: string, deviceId: string, pins: readonly string[], during?: OccupiedSpan): Promise<Set<string>>;
  /** The PIN bound to a common code key, while a code in the workspace holds it. */
  getCommonCodePin(workspaceId: string, commonCodeKey: string): Promise<string | undefined>;
  /** The codes sharing a common code key (one read of the key, one batch read of its codes). */
  listByCommonCodeKey(workspaceId: string, commonCodeKey: string): Promise<AccessCodeRecord[]>;
  /**
   * Stores a new code (version 0), claims its PIN on the device over its occupied span and its common code key.
   * Throws DuplicateAccessCodeError if another code holds the PIN during that span, ConflictError if the key is bound to another PIN.
   */
  create(record: AccessCodeRecord, extras?: WriteExtras): Promise<void>;
  /** Stores several new codes at once, all or none, with the conditions of `create`. */
  createMany(records: readonly AccessCodeRecord[], extras?: WriteExtras): Promise<void>;
  /**
   * Replaces `previous` by `next` if the stored version is still `previous.version`
   * (`next.version` must be `previous.version + 1`), moving the PIN claim when the PIN or its span changed.
   * Throws ConflictError when the version moved, DuplicateAccessCodeError when another code holds the PIN during the new span.
   */
  update(next: AccessCodeRecord, previous: AccessCodeRecord, extras?: WriteExtras): Promise<void>;
  /**
   * Deletes the code if still at `previous.version`, frees its PIN and its share of a common
   * code key (the key's PIN is free again once its last code is gone), and keeps its last state
   * in its history. Throws ConflictError.
   */
  remove(previous: AccessCodeRecord, extras?: WriteExtras): Promise<void>;
  /**
   * Codes whose pending work is due at or before `now`, from one shard of the sparse due index.
   * Cost grows with the number of due codes, never with the number stored.
   */
  listDue(shard: number, now: string, limit: number): Promise<AccessCodeRecord[]>;
}

/** A code that is gone: its last state, kept with its history for a configured time. */
export interface GoneAccessCode {
  access_code: AccessCode;
  removed_at: string;
  /** Until when its history is readable (storage may keep it a little longer). */
  readable_until: string;
}

export interface CodeHistoryQuery {
  after?: string;
  before?: string;
  eventTypes?: readonly string[];
  limit: number;
  cursor?: string;
}

/**
 * Every code's events (each event about a code is kept with the code, in the write that made
 * it) and the last state of codes that are gone, so a timeline outlives its code for a while.
 */
export interface CodeHistoryRepository {
  /** The code's last state if it is gone and its history is still stored. */
  getGone(workspaceId: string, accessCodeId: string): Promise<GoneAccessCode | undefined>;
  /** The code's events, oldest first, one page at a time, with a cursor back to the page before. */
  listEvents(workspaceId: string, accessCodeId: string, query: CodeHistoryQuery): Promise<Page<SeamEvent> & { prevCursor: string | null }>;
}

/**
 * Codes found on locks that Latchkey did not set (by the engine's reads of whole keypads).
 * Scoped to a workspace like every store.
 */
export interface UnmanagedCodeRepository {
  get(workspaceId: string, accessCodeId: string): Promise<UnmanagedCodeRecord | undefined>;
  /** A device's unmanaged codes, in the order they were found. */
  listByDevice(workspaceId: string, deviceId: string, query: { limit: number; cursor?: string }): Promise<Page<UnmanagedCodeRecord>>;
  /** Stores a newly found code, unless a managed code has its id (it was converted meanwhile). False then. */
  create(record: UnmanagedCodeRecord, extras?: WriteExtras): Promise<boolean>;
  /** Rewrites a known code with what the lock now shows; nothing when it was removed meanwhile. */
  replace(record: UnmanagedCodeRecord): Promise<void>;
  /**
   * Forgets a code (the lock no longer holds it), writing `extras` with it. False, and nothing
   * written, when it is already gone: whoever removed it recorded its removal.
   */
  remove(workspaceId: string, accessCodeId: string, extras?: WriteExtras): Promise<boolean>;
  /**
   * Turns an unmanaged code into the managed `managed` (same id), in one write that claims its
   * PIN. Throws DuplicateAccessCodeError when a managed code holds the PIN, ConflictError when
   * the unmanaged code is gone.
   */
  convert(unmanaged: UnmanagedCodeRecord, managed: AccessCodeRecord, extras?: WriteExtras): Promise<void>;
}

export interface DeviceRepository {
  get(workspaceId: string, deviceId: string): Promise<DeviceRecord | undefined>;
  list(workspaceId: string, query: { deviceIds?: readonly string[]; limit: number }): Promise<DeviceRecord[]>;
  /** Stores the device; a device stored for the first time joins the sweep due at `sweepJoinedAt`, to be given its place. */
  put(record: DeviceRecord): Promise<void>;
  /** Removes the device and its place in the sweep. */
  remove(workspaceId: string, deviceId: string): Promise<void>;
  /** Locks whose sweep (a whole read of the keypad) is due at `now`, from one shard of the due index: cost follows the due ones. */
  listSweepDue(shard: number, now: string, limit: number): Promise<DueSweep[]>;
  /** Moves a lock's next sweep to `next` if it is still due at `sweep.due_at`: of two sweepers, one wins (true). */
  moveSweep(sweep: DueSweep, next: string): Promise<boolean>;
}

/** The sweep time of a lock stored for the first time: due at once, so the next sweep gives it its place in the interval. */
export const sweepJoinedAt = new Date(0).toISOString();

/** A lock's place in the sweep. */
export interface DueSweep {
  workspace_id: string;
  device_id: string;
  due_at: string;
}

/** Connected accounts: the integrations (a Seam workspace, a Z-Wave hub) a workspace's devices come through. */
export interface ConnectedAccountRepository {
  get(workspaceId: string, connectedAccountId: string): Promise<ConnectedAccountRecord | undefined>;
  /** By id alone, for callers that know no workspace yet (an incoming webhook names only the account). */
  getById(connectedAccountId: string): Promise<ConnectedAccountRecord | undefined>;
  list(workspaceId: string): Promise<ConnectedAccountRecord[]>;
  put(record: ConnectedAccountRecord): Promise<void>;
  remove(workspaceId: string, connectedAccountId: string): Promise<void>;
}

/**
 * Provider credentials, by name: Secrets Manager in AWS, the table locally. Values never
 * leave the functions that call providers, and never reach a log or a response.
 */
export interface SecretStore {
  put(name: string, value: string): Promise<void>;
  get(name: string): Promise<string | undefined>;
  remove(name: string): Promise<void>;
}

export interface ActionAttemptRepository {
  get(workspaceId: string, actionAttemptId: string): Promise<ActionAttemptRecord | undefined>;
  put(record: ActionAttemptRecord): Promise<void>;
}

/**
 * Remote lock and unlock: the attempt that asks, and the lock's report that ends it. Each is one
 * transaction, so an attempt ends once, with its event and the device's new state or not at all.
 */
export interface LockActionRepository {
  /** Stores a new pending LOCK_DOOR / UNLOCK_DOOR attempt (the write an Idempotency-Key commits with). */
  start(attempt: ActionAttemptRecord): Promise<void>;
  /**
   * Ends `attempt` (stored pending) with its final state, its events and, when the lock moved,
   * the device as it now is (a device since removed is not written back). Throws ConflictError
   * when the attempt has already ended.
   */
  finish(attempt: ActionAttemptRecord, events: readonly SeamEvent[], device?: DeviceRecord): Promise<void>;
}

/** One call's work, named so that two workers doing the same work take one turn between them. */
export interface CallHolder {
  /** The work: a code at one version of its record. */
  id: string;
  /** How long a grant to this work stands for it: the longest a worker can take to make the call. */
  holdMs: number;
}

export type PacingTurn = { granted: true } | { granted: false; retryAt: string; held?: true };

/**
 * Counts provider calls against a provider's limits, shared by every process: the table in
 * AWS (one item per key holding its last grants, written on a version), memory locally.
 */
export interface CallPacing {
  /**
   * Takes one call of `key` when fewer than `calls` were granted in the `perMs` before `now`, so
   * no span of `perMs` ever holds more than `calls`; refused, answers when the oldest of those
   * grants leaves the span. With `holder`, a take whose work was granted a call of `key` in the
   * last `holdMs` is refused as `held` (another worker is making that call) until the hold ends.
   */
  take(key: string, limit: { calls: number; perMs: number }, now: Date, holder?: CallHolder): Promise<PacingTurn>;
}

export interface EventRepository {
  get(workspaceId: string, eventId: string): Promise<SeamEvent | undefined>;
  /** Newest first. */
  list(workspaceId: string, query: ListEventsInput): Promise<SeamEvent[]>;
  /** Stores the events of an entry that changes no code, with its claim; EntryAlreadyRecordedError if it was recorded before. */
  recordEntry(entry: EntryClaim, events: readonly SeamEvent[]): Promise<void>;
}

export interface WorkspaceRepository {
  create(workspace: Workspace): Promise<void>;
  get(workspaceId: string): Promise<Workspace | undefined>;
  list(): Promise<Workspace[]>;
  putApiKey(record: ApiKeyRecord): Promise<void>;
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(workspaceId: string): Promise<ApiKeyRecord[]>;
  /** Returns false when no such key exists in the workspace. */
  revokeApiKey(workspaceId: string, apiKeyId: string): Promise<boolean>;
}

/**
 * Sends lifecycle events out (EventBridge in AWS, an in-process bus locally). Only the outbox
 * relay calls it: use cases store their events in the transaction of their change, and the
 * relay publishes what was stored (functions/publish-events on the table's stream).
 */
export interface EventPublisher {
  publish(events: readonly SeamEvent[]): Promise<void>;
}

/**
 * Client sessions. A live session's user_identifier_key is claimed in its workspace, so two
 * concurrent get_or_create calls for one key end with one session.
 */
export interface ClientSessionRepository {
  get(workspaceId: string, clientSessionId: string): Promise<ClientSessionRecord | undefined>;
  /** The session holding the key's claim (live, or expired and not yet cleared). */
  findByUserIdentifierKey(workspaceId: string, userIdentifierKey: string): Promise<ClientSessionRecord | undefined>;
  /** Oldest first. */
  list(workspaceId: string): Promise<ClientSessionRecord[]>;
  /** Stores a new session (version 0) and claims its key; ConflictError when the key is claimed. */
  create(record: ClientSessionRecord): Promise<void>;
  /** Replaces `previous` (same version) by `next` (version + 1), freeing the claim of a revoked session; ConflictError. */
  update(next: ClientSessionRecord, previous: ClientSessionRecord): Promise<void>;
  /** Deletes the session and its claim if still at `previous.version`; ConflictError. */
  remove(previous: ClientSessionRecord): Promise<void>;
}

/** Publishable keys and personal access tokens, found by the hash of their secret. */
export interface CredentialRepository {
  putPublishableKey(record: PublishableKeyRecord): Promise<void>;
  findPublishableKeyByHash(keyHash: string): Promise<PublishableKeyRecord | undefined>;
  putPersonalAccessToken(record: PersonalAccessTokenRecord): Promise<void>;
  findPersonalAccessTokenByHash(keyHash: string): Promise<PersonalAccessTokenRecord | undefined>;
  listPersonalAccessTokens(): Promise<PersonalAccessTokenRecord[]>;
  /** Returns false when no such token exists. */
  revokePersonalAccessToken(personalAccessTokenId: string): Promise<boolean>;
}

/** Webhooks of a workspace, the claims that make each event go out once per webhook, and given-up deliveries. */
export interface WebhookRepository {
  create(record: WebhookRecord): Promise<void>;
  get(workspaceId: string, webhookId: string): Promise<WebhookRecord | undefined>;
  /** Oldest first. */
  list(workspaceId: string): Promise<WebhookRecord[]>;
  /** Replaces `previous` (same version) by `next`; ConflictError. */
  update(next: WebhookRecord, previous: WebhookRecord): Promise<void>;
  remove(previous: WebhookRecord): Promise<void>;
  /** Claims the delivery of an event to a webhook; false when it was claimed before (the bus delivers at least once). */
  claimDelivery(workspaceId: string, webhookId: string, eventId: string, now: string): Promise<boolean>;
  recordFailedDelivery(failed: FailedDelivery): Promise<void>;
  /** Newest first. */
  listFailedDeliveries(workspaceId: string): Promise<FailedDelivery[]>;
  /** Keeps a delivery whose next attempt is further away than the queue can delay it, until `releaseAt`. Writing it again changes nothing. */
  parkDelivery(delivery: WebhookDelivery, releaseAt: string): Promise<void>;
  /**
   * Claims up to `limit` parked deliveries due at `now` (each a conditional write: of two callers
   * only one gets a delivery), each held until `leaseUntil` so that one not removed comes back then.
   */
  takeParkedDeliveries(now: string, leaseUntil: string, limit: number): Promise<WebhookDelivery[]>;
  /** Forgets a parked delivery once it is back on the queue. */
  removeParkedDelivery(delivery: WebhookDelivery): Promise<void>;
}

/** Deliveries waiting to be sent: SQS in AWS, an in-process queue locally. */
export interface DeliveryQueue {
  /** Enqueues a delivery to be taken after `delaySeconds` (a queue may cap the delay; `not_before` covers the rest). */
  send(delivery: WebhookDelivery, delaySeconds: number): Promise<void>;
  /** Hands a delivery given up to the dead-letter queue, where the operator sees it. */
  deadLetter(delivery: WebhookDelivery): Promise<void>;
}

/** Sends one webhook request. Answers the HTTP status, or why there was none. */
export interface WebhookTransport {
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ status: number } | { failure: 'timeout' | 'network_error' | 'refused_address' }>;
}

/** Webhook deliveries waiting to go out, and how they are sent: what the fan-out and delivery functions add to Deps. */
export interface WebhookOut {
  deliveries: DeliveryQueue;
  webhookTransport: WebhookTransport;
}

/**
 * Idempotency keys, per workspace. A request takes its key before it runs; the first store
 * transaction of the request commits the key with it (see lib/idempotency/unit-of-work.ts);
 * the answer is kept afterwards.
 */
export interface IdempotencyKeyRepository {
  /** Takes the key for the request (none held, expired, or held past its lease), or says what holds it. */
  claim(claim: KeyClaim): Promise<KeyClaimResult>;
  /** Keeps the request's answer, while the request still holds the key. */
  keepAnswer(claim: KeyClaim, answer: KeptAnswer): Promise<void>;
  /** Lets the key go (a fault, so a retry runs again), if the request holds it and committed no write. */
  release(claim: KeyClaim): Promise<void>;
}

/** Everything the stores of one backend provide. */
export interface Stores {
  accessCodes: AccessCodeRepository;
  codeHistory: CodeHistoryRepository;
  unmanagedCodes: UnmanagedCodeRepository;
  devices: DeviceRepository;
  connectedAccounts: ConnectedAccountRepository;
  actionAttempts: ActionAttemptRepository;
  lockActions: LockActionRepository;
  pacing: CallPacing;
  events: EventRepository;
  workspaces: WorkspaceRepository;
  clientSessions: ClientSessionRepository;
  credentials: CredentialRepository;
  webhooks: WebhookRepository;
  idempotencyKeys: IdempotencyKeyRepository;
}

/**
 * Runs a code's next engine step when it falls due, instead of at the poller's next tick: an
 * SQS delay queue in AWS, a timer locally. Only a speed-up: the due index and the poller stay
 * the record of what is due, so a lost follow-up only waits for the next tick.
 */
export interface FollowUpScheduler {
  /** How far ahead a follow-up can be scheduled; work due later is left to the poller. */
  readonly horizonMs: number;
  schedule(workspaceId: string, accessCodeId: string, dueAt: string): Promise<void>;
  /** Checks a remote lock or unlock (its action attempt) when the lock should have reported it. */
  scheduleBoltCheck(workspaceId: string, actionAttemptId: string, dueAt: string): Promise<void>;
}

/**
 * The lifecycle engine, as inbound lock reports (Seam webhooks, hub events, keypad changes)
 * and use cases reach it: they say what happened, the engine acts on it.
 */
export interface Engine {
  /** The lock reported a change to this code: take its step now, whatever its due time says (`device` when the caller just read it). */
  lookNow(workspaceId: string, accessCodeId: string, device?: DeviceRecord): Promise<void>;
  /** Read the device's whole keypad and bring unmanaged codes and changed managed codes in line with it. */
  discover(device: DeviceRecord): Promise<void>;
  /** A lock reported a keypad entry: map it to its code, count it, and record its events once. */
  recordEntry(device: DeviceRecord, report: EntryReport): Promise<EntryResult>;
}

export interface Deps extends Stores {
  /** Absent where no follow-ups are wired (unit tests drive the poller by the clock). */
  followUps?: FollowUpScheduler;
  clock: Clock;
  ids: IdGenerator;
  /** For the outbox relay only; use cases never publish. */
  publisher: EventPublisher;
  /** Picks the provider that programs each device's lock. */
  providers: ProviderRegistry;
  /** Lists the devices behind each kind of connected account. */
  accountSources: AccountSourceRegistry;
  secrets: SecretStore;
  settings: LifecycleSettings;
  engine: Engine;
}
