import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { ConflictError } from '../errors';
import type { CallPacing } from '../ports';
import { oneAtATime, retry, retryPolicies } from '../retry';
import { fromItem, toItem } from './dynamodb-doc';
import { expiresAfter } from './dynamodb-keys';
import type { TableOperations } from './dynamodb-support';
import { type Grant, slidingTake } from './memory-call-pacing';

/** Grant times, and beside each the digest of the work it was granted to ('' for none). */
const grantsSchema = z.object({ grants: z.array(z.number()), holders: z.array(z.string()).optional(), version: z.number().int() });
type Grants = { grants: Grant[]; version: number };

const fromStored = ({ grants, holders, version }: z.infer<typeof grantsSchema>): Grants => ({
  grants: grants.map((at, i) => (holders?.[i] ? { at, by: holders[i] } : { at })),
  version,
});

/** A holder is stored as 10 characters of its digest, so a key of 20 grants stays one write unit. */
const digest = (id: string) => createHash('sha256').update(id).digest('base64url').slice(0, 10);

/** Keys whose last known grants a process keeps (the oldest known is forgotten first). */
const rememberedKeys = 10_000;

/**
 * Grant times on the table: one item per key holding the times of its last `calls` grants and a
 * version. A granted take writes it back conditioned on the version it knew (one conditional
 * write per granted take); a take that lost the race to another process reads the item and
 * decides again. So the limit holds over any span of `perMs`, across processes. Takes of one
 * key in one process take turns, and a process starts from what it last wrote or read of a key,
 * so a process pacing one lock alone writes once per call and reads nothing; a refusal it
 * decides from that is sound, since other processes only add grants. Gone a day after the last grant.
 */
export function dynamoDbCallPacing(table: TableOperations): CallPacing {
  const turns = oneAtATime();
  const known = new Map<string, Grants>();
  const remember = (key: string, grants: Grants) => {
    known.delete(key);
    known.set(key, grants);
    const oldest = known.keys().next();
    if (known.size > rememberedKeys && !oldest.done) known.delete(oldest.value);
  };
  const read = async (itemKey: { pk: string; sk: string }, key: string): Promise<Grants | undefined> => {
    const found = await table.getItem(itemKey);
    const stored = found === undefined ? undefined : fromStored(grantsSchema.parse(fromItem(found)));
    if (stored === undefined) known.delete(key);
    else remember(key, stored);
    return stored;
  };
  return {
    take: (key, limit, now, holder) =>
      turns(key, () =>
        retry(retryPolicies.pacingConflict, async (attempt) => {
          const itemKey = { pk: `PACE#${key}`, sk: 'GRANTS' };
          const stored = (attempt === 1 ? known.get(key) : undefined) ?? (await read(itemKey, key));
          const turn = slidingTake(stored?.grants ?? [], limit, now, holder && { ...holder, id: digest(holder.id) });
          if (!turn.granted) return turn;
          const latest = turn.grants[turn.grants.length - 1]?.at ?? now.getTime();
          const holders = turn.grants.some((g) => g.by !== undefined) ? { holders: turn.grants.map((g) => g.by ?? '') } : {};
          // A new item's version starts at the time of its first grant, so one created again after its TTL never repeats a version some process remembers.
          const version = stored === undefined ? now.getTime() : stored.version + 1;
          try {
            await table.client.send(
              new PutItemCommand({
                TableName: table.tableName,
                Item: toItem({ ...itemKey, grants: turn.grants.map((g) => g.at), ...holders, version, expires_at: expiresAfter(new Date(latest + limit.perMs).toISOString(), 1) }),
                ...(stored === undefined
                  ? { ConditionExpression: 'attribute_not_exists(pk)' }
                  : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: toItem({ ':v': stored.version }) }),
              }),
            );
          } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
            known.delete(key);
            throw new ConflictError('The call grants changed while a call was taken');
          }
          remember(key, { grants: turn.grants, version });
          return { granted: true as const };
        }),
      ),
  };
}
