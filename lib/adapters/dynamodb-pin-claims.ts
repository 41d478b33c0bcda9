import * as z from 'zod';
import type { OccupiedSpan } from '../access-codes/occupied-span';
import { type PinHolder, heldDuring, pinHolderSchema, withHolder, withoutHolder } from '../access-codes/pin-holders';
import { type Item, fromItem, toItem } from './dynamodb-doc';
import { type TableKey, pinClaimKeys, skPrefix } from './dynamodb-keys';
import type { Condition, TableOperations, TableWrite } from './dynamodb-support';

/**
 * A PIN claim item: the PIN's holders over time and a version every write moves on, so a
 * write lands only on the claim it read. Items written before PINs were shared over time name
 * one holder, for all time, by `access_code_id`, and have no version.
 */
const claimItemSchema = z.object({ holders: z.array(pinHolderSchema).optional(), version: z.number().int().optional(), access_code_id: z.string().optional() });

interface ReadClaim {
  holders: PinHolder[];
  version: number;
  /** That the item is still as read. */
  unchanged: Condition;
}

function readClaim(item: Item | undefined): ReadClaim {
  if (!item) return { holders: [], version: 0, unchanged: { ConditionExpression: 'attribute_not_exists(pk)' } };
  const claim = claimItemSchema.parse(fromItem(item));
  if (claim.version === undefined) {
    const legacy = claim.access_code_id ?? '';
    return {
      holders: [{ access_code_id: legacy }],
      version: 0,
      unchanged: {
        ConditionExpression: 'attribute_not_exists(#version) AND access_code_id = :legacy',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':legacy': { S: legacy } },
      },
    };
  }
  return {
    holders: claim.holders ?? [],
    version: claim.version,
    unchanged: { ConditionExpression: '#version = :version', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':version': { N: String(claim.version) } } },
  };
}

export const holdersOf = (item: Item | undefined): PinHolder[] => readClaim(item).holders;

/** A change to one PIN claim: a code leaving it, a code taking (or keeping, over a new span) it. */
export interface PinClaimChange {
  key: TableKey;
  leaving?: string;
  holder?: PinHolder;
}

/** The item of a claim held by one code for all time (an unmanaged code's), and the condition to write it only where nobody holds the PIN. */
export const soleClaimItem = (key: TableKey, accessCodeId: string): Item => toItem({ ...key, holders: [{ access_code_id: accessCodeId }], version: 1 });

/** The condition that a claim is held by `accessCodeId` alone (its sole claim, or an item written before claims had holders). */
export const heldAloneBy = (accessCodeId: string): Condition => ({
  ConditionExpression: '(size(#holders) = :one AND #holders[0].#id = :id) OR access_code_id = :id',
  ExpressionAttributeNames: { '#holders': 'holders', '#id': 'access_code_id' },
  ExpressionAttributeValues: { ':one': { N: '1' }, ':id': { S: accessCodeId } },
});

/**
 * The writes that move PIN claims, one per claim item: each is read once, its leaving codes
 * taken off and its new holders put on (DuplicateAccessCodeError when one overlaps another
 * holder), and written back only if it is still as read. A transaction whose claim moved
 * meanwhile fails on its `pin` write, wrote nothing, and is built again from a fresh read.
 * `guess` skips the reads where the usual case needs none: a new PIN's claim is written as
 * absent, and a code leaving a PIN it holds alone deletes the claim; a wrong guess fails its
 * condition like a moved claim.
 */
export async function pinClaimWrites(table: TableOperations, changes: readonly PinClaimChange[], guess = false): Promise<TableWrite[]> {
  const byItem = new Map<string, { key: TableKey; changes: PinClaimChange[] }>();
  for (const change of changes) {
    const id = `${change.key.pk}|${change.key.sk}`;
    byItem.set(id, { key: change.key, changes: [...(byItem.get(id)?.changes ?? []), change] });
  }
  const writes: TableWrite[] = [];
  for (const { key, changes: onItem } of byItem.values()) {
    const guessed = guess ? guessedWrite(table, key, onItem) : undefined;
    if (guessed) {
      writes.push(guessed);
      continue;
    }
    const item = await table.getItem(key);
    const read = readClaim(item);
    let holders = read.holders;
    for (const { leaving } of onItem) if (leaving !== undefined) holders = withoutHolder(holders, leaving);
    for (const { holder } of onItem) if (holder !== undefined) holders = withHolder(holders, holder);
    if (holders.length > 0) writes.push({ role: 'pin', write: table.put(toItem({ ...key, holders, version: read.version + 1 }), read.unchanged) });
    else if (item) writes.push({ role: 'pin', write: table.del(key, read.unchanged) });
  }
  return writes;
}

/** The write of a claim guessed without reading it: new codes on a free PIN, or one code leaving a PIN it holds alone. */
function guessedWrite(table: TableOperations, key: TableKey, changes: readonly PinClaimChange[]): TableWrite | undefined {
  const [first] = changes;
  if (changes.every((c) => c.leaving === undefined)) {
    let holders: PinHolder[] = [];
    for (const { holder } of changes) if (holder !== undefined) holders = withHolder(holders, holder);
    return { role: 'pin', write: table.put(toItem({ ...key, holders, version: 1 }), { ConditionExpression: 'attribute_not_exists(pk)' }) };
  }
  if (changes.length === 1 && first?.leaving !== undefined && first.holder === undefined) return { role: 'pin', write: table.del(key, heldAloneBy(first.leaving)) };
  return undefined;
}

/** Which of `pins` are held on a device, at any time or during `during`: a GetItem of each claim, asked together (one BatchGetItem). */
export async function pinsHeldOf(table: TableOperations, workspaceId: string, deviceId: string, pins: readonly string[], during?: OccupiedSpan): Promise<Set<string>> {
  const claims = await Promise.all(pins.map((pin) => table.getItem(pinClaimKeys.key(workspaceId, deviceId, pin))));
  return new Set(pins.filter((_, i) => heldDuring(holdersOf(claims[i]), during)));
}

/** The PINs held on a device, at any time or during `during`. */
export async function listHeldPins(table: TableOperations, workspaceId: string, deviceId: string, during?: OccupiedSpan): Promise<string[]> {
  const claims = await table.collect(
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': { S: pinClaimKeys.partition(workspaceId, deviceId) }, ':prefix': { S: skPrefix.pin } },
      ConsistentRead: true,
    },
    Number.POSITIVE_INFINITY,
    (item) => (heldDuring(holdersOf(item), during) ? item.sk?.S : undefined),
  );
  return claims.map((c) => pinClaimKeys.pinOf(c.value));
}
