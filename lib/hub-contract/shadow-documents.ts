import * as z from 'zod';

/**
 * The contract between the edge agent and Latchkey: one AWS IoT named shadow per lock, on the
 * hub's thing. `desired.slots` holds the PIN Latchkey wants in each User Code slot it manages,
 * `reported.slots` what the lock holds, slot by slot. An empty slot is "" (never null: IoT
 * Core drops a null key, and a delta never carries a deletion). Only the agent writes
 * `reported`; only Latchkey writes `desired`. With 60 managed slots at most, a document stays
 * well under IoT Core's 8 KB.
 */

/** Slot numbers as shadow keys: "1".."n". */
export const slotKeySchema = z.string().regex(/^[1-9]\d{0,3}$/);
/** A User Code as a lock holds it ("" = empty). Z-Wave allows 4 to 10 characters. */
export const slotValueSchema = z.string().max(10);
const slotMapSchema = z.record(slotKeySchema, slotValueSchema);

export const lockStatusSchema = z.enum(['alive', 'asleep', 'dead', 'unknown']);

/** What the agent knows about the lock itself. */
export const reportedLockSchema = z.object({
  node_id: z.number().int().min(1).max(4000),
  name: z.string().max(100),
  manufacturer: z.string().max(100),
  model: z.string().max(100),
  /** User Code slots the lock has. */
  capacity: z.number().int().min(0).max(4000),
  /** Slots 1..managed_slots are reported and may be written by Latchkey. */
  managed_slots: z.number().int().min(0).max(60),
  /** PIN lengths the lock takes (Z-Wave User Code allows 4–10; a lock's manual may say less). */
  code_lengths: z.object({ min: z.number().int().min(1).max(10), max: z.number().int().min(1).max(10) }),
  /** Characters the lock accepts in a code, when it says (User Code v2). */
  code_chars: z.string().max(128).optional(),
  status: lockStatusSchema,
  /** The lock has Door Lock CC: Latchkey may lock and unlock it remotely (`desired.bolt`). */
  door_lock: z.boolean().optional(),
});
export type ReportedLock = z.infer<typeof reportedLockSchema>;

/** A remote lock or unlock: the Latchkey action attempt that asks, and the bolt's state it asks for. */
export const boltRequestSchema = z.object({ request: z.string().min(1).max(64), locked: z.boolean() });

/** The agent's answer to the last request it acted on: done (the bolt as the lock then reported it) or failed. */
export const reportedBoltSchema = z.object({ request: z.string().min(1).max(64), locked: z.boolean(), result: z.enum(['done', 'failed']) });
export type ReportedBolt = z.infer<typeof reportedBoltSchema>;

/** An agent acts on a bolt request only this long after Latchkey wrote it: an old unlock never opens a door later (a restart, a hub back online). */
export const boltRequestTtlSeconds = 60;

export const reportedStateSchema = z.object({
  lock: reportedLockSchema.optional(),
  slots: slotMapSchema.optional(),
  /** The PIN the lock silently refused for a slot, read back after writing it; "" once cleared. */
  refused: slotMapSchema.optional(),
  agent: z.object({ version: z.string().max(40) }).optional(),
  bolt: reportedBoltSchema.optional(),
});
export type ReportedState = z.infer<typeof reportedStateSchema>;

export const desiredStateSchema = z.object({
  slots: slotMapSchema.optional(),
  /** Which Latchkey access code each slot is for; the agent ignores it. Written with the slot, atomically. */
  owners: z.record(slotKeySchema, z.string().max(64)).optional(),
  bolt: boltRequestSchema.optional(),
});
export type DesiredState = z.infer<typeof desiredStateSchema>;

const leafMetaSchema = z.object({ timestamp: z.number() });
const slotMetaSchema = z.record(z.string(), leafMetaSchema);

/** A lock shadow as GetThingShadow (or get/accepted) returns it; unknown fields are ignored. */
export const lockShadowSchema = z.object({
  state: z.object({ desired: desiredStateSchema.optional(), reported: reportedStateSchema.optional() }).default({}),
  metadata: z
    .object({
      desired: z.object({ slots: slotMetaSchema.optional(), bolt: slotMetaSchema.optional() }).optional(),
      reported: z.object({ slots: slotMetaSchema.optional(), refused: slotMetaSchema.optional() }).optional(),
    })
    .default({}),
  version: z.number().int().nonnegative(),
  timestamp: z.number().optional(),
});
export type LockShadow = z.infer<typeof lockShadowSchema>;

/** The delta message the agent receives when desired slots differ from reported ones. */
export const lockDeltaSchema = z.object({
  state: desiredStateSchema.extend({ bolt: boltRequestSchema.partial().optional() }),
  metadata: z.object({ slots: slotMetaSchema.optional(), bolt: slotMetaSchema.optional() }).default({}),
  version: z.number().int(),
});

/** A keypad event the agent forwards on `latchkey/hubs/<thing>/events`. */
export const keypadEventSchema = z.object({
  /** A keypad unlock (with the slot used), or a credential the lock refused. */
  type: z.enum(['keypad_unlock', 'keypad_denied']),
  shadow_name: z.string(),
  node_id: z.number().int(),
  /** The User Code slot used, when the lock says. */
  slot: z.number().int().min(0).optional(),
  occurred_at: z.iso.datetime(),
  /** The agent's id for this one notification, so a report sent again is one entry (absent from older agents). */
  entry_id: z.string().min(1).max(128).optional(),
});
export type KeypadEvent = z.infer<typeof keypadEventSchema>;

/** Every hub thing of a stage starts with this; the stage's IAM grants, IoT policy and rules are scoped to it. */
export const hubThingPrefix = (stage: string) => `latchkey-${stage}-hub-`;
// The stage is optional: hubs made locally before names carried it (`latchkey-hub-…`) keep working in their .latchkey/ data.
const thingPattern = /^latchkey-(?:[a-z][a-z0-9-]{0,19}-)?hub-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** A hub's IoT thing name: its stage and the connected account it belongs to. It is also the hub's MQTT client id. */
export const hubThingName = (stage: string, connectedAccountId: string) => `${hubThingPrefix(stage)}${connectedAccountId}`;
/** The connected account a hub thing name names (of any stage: the account's stored thing name says which). */
export const parseHubThingName = (thingName: string): string | undefined => thingPattern.exec(thingName)?.[1];

/** The named shadow of the lock with this Z-Wave node id. */
export const lockShadowName = (nodeId: number) => `lock-${nodeId}`;
export const parseLockShadowName = (name: string): number | undefined => {
  const match = /^lock-([1-9]\d{0,3})$/.exec(name);
  return match?.[1] ? Number(match[1]) : undefined;
};

/** Topics of a named shadow (IoT Core reserves the `$aws/things/` tree). */
export const shadowTopic = (thingName: string, shadowName: string, op: 'update' | 'get' | 'delete') => `$aws/things/${thingName}/shadow/name/${shadowName}/${op}`;

/** Where the agent publishes keypad events for its hub. */
export const hubEventsTopic = (thingName: string) => `latchkey/hubs/${thingName}/events`;
