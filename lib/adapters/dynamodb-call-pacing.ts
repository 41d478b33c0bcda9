import { ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { ConflictError } from '../errors';
import type { CallPacing } from '../ports';
import { oneAtATime, retry, retryPolicies } from '../retry';
import { fromItem, toItem } from './dynamodb-doc';
import { expiresAfter } from './dynamodb-keys';
import type { TableOperations } from './dynamodb-support';
import { slidingTake } from './memory-call-pacing';

const grantsSchema = z.object({ grants: z.array(z.number()), version: z.number().int() });

/**
 * Grant times on the table: one item per key holding the times of its last `calls` grants and a
 * version. A take reads it and, when granted, writes it back conditioned on the version read
 * (one conditional write per granted take, none for a refused one); a take that lost the race to
 * another process reads again. So the limit holds over any span of `perMs`, across processes.
 * Takes of one key in one process take turns, so only processes race. Gone a day after the last grant.
 */
export function dynamoDbCallPacing(table: TableOperations): CallPacing {
  const turns = oneAtATime();
  return {
    take: (key, limit, now) =>
      turns(key, () =>
        retry(retryPolicies.pacingConflict, async () => {
          const itemKey = { pk: `PACE#${key}`, sk: 'GRANTS' };
          const found = await table.getItem(itemKey);
          const stored = found === undefined ? undefined : grantsSchema.parse(fromItem(found));
          const turn = slidingTake(stored?.grants ?? [], limit, now);
          if (!turn.granted) return turn;
          const latest = turn.grants[turn.grants.length - 1] ?? now.getTime();
          try {
            await table.client.send(
              new PutItemCommand({
                TableName: table.tableName,
                Item: toItem({ ...itemKey, grants: turn.grants, version: (stored?.version ?? 0) + 1, expires_at: expiresAfter(new Date(latest + limit.perMs).toISOString(), 1) }),
                ...(stored === undefined
                  ? { ConditionExpression: 'attribute_not_exists(pk)' }
                  : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: toItem({ ':v': stored.version }) }),
              }),
            );
          } catch (error) {
            if (error instanceof ConditionalCheckFailedException) throw new ConflictError('The call grants changed while a call was taken');
            throw error;
          }
          return { granted: true as const };
        }),
      ),
  };
}
