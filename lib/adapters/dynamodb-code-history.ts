import * as z from 'zod';
import { InvalidInputError } from '../errors';
import { type SeamEvent, eventSchema } from '../events/schemas';
import type { CodeHistoryQuery, CodeHistoryRepository, Page } from '../ports';
import { timestampSchema } from '../schema-helpers';
import { codeHistoryKeys } from './dynamodb-keys';
import { storedAccessCodeSchema } from './dynamodb-code-doc';
import { type Item, decodeCursor, encodeCursor, parseDoc, toItem } from './dynamodb-doc';
import type { TableOperations } from './dynamodb-support';

const goneSchema = z.object({ access_code: storedAccessCodeSchema, removed_at: timestampSchema, readable_until: timestampSchema });

/** A timeline page's position: the sort key of the event it continues after (next) or before (prev). */
const historyCursorSchema = z.strictObject({
  sk: z.string().regex(/^EV#[0-9T:.\-Z]{1,40}#\d{2}#[0-9a-fA-F-]{36}$/),
  dir: z.enum(['next', 'prev']),
});
type HistoryCursor = z.infer<typeof historyCursorSchema>;

const invalidCursor = () => InvalidInputError.forField('cursor', 'Invalid or expired cursor');

export function encodeHistoryCursor(cursor: HistoryCursor): string {
  return encodeCursor(cursor);
}

export const decodeHistoryCursor = (cursor: string): HistoryCursor => decodeCursor(historyCursorSchema, cursor, invalidCursor);

/** The sort-key range of `after < occurred_at < before`: `#` sorts below every timestamp character, `$` above. */
function timeRange(after: string | undefined, before: string | undefined) {
  return {
    from: after === undefined ? codeHistoryKeys.eventPrefix : `${codeHistoryKeys.eventPrefix}${after}$`,
    to: before === undefined ? `${codeHistoryKeys.eventPrefix}~` : `${codeHistoryKeys.eventPrefix}${before}#`,
  };
}

/**
 * A code's history partition: one Query per timeline page, oldest first, whether or not the
 * code still exists.
 */
export function dynamoDbCodeHistory(table: TableOperations): CodeHistoryRepository {
  const { getItem, collect } = table;
  return {
    async getGone(workspaceId, accessCodeId) {
      const item = await getItem(codeHistoryKeys.gone(workspaceId, accessCodeId));
      return item && parseDoc(goneSchema, item);
    },

    async listEvents(workspaceId, accessCodeId, query: CodeHistoryQuery): Promise<Page<SeamEvent> & { prevCursor: string | null }> {
      const cursor = query.cursor === undefined ? undefined : decodeHistoryCursor(query.cursor);
      const pk = codeHistoryKeys.partition(workspaceId, accessCodeId);
      const { from, to } = timeRange(query.after, query.before);
      if (from >= to) return { items: [], nextCursor: null, prevCursor: null };
      const backwards = cursor?.dir === 'prev';
      const types = query.eventTypes === undefined ? undefined : new Set(query.eventTypes);
      const found = await collect(
        {
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': { S: pk }, ':from': { S: from }, ':to': { S: to } },
          ScanIndexForward: !backwards,
          ConsistentRead: true,
          ExclusiveStartKey: cursor && toItem({ pk, sk: cursor.sk }),
        },
        query.limit + 1,
        (item: Item) => {
          const event = parseDoc(eventSchema, item);
          return types === undefined || types.has(event.event_type) ? event : undefined;
        },
        types !== undefined,
      );
      const more = found.length > query.limit;
      const page = found.slice(0, query.limit);
      if (backwards) page.reverse();
      const sk = (i: number) => page.at(i)?.item.sk?.S;
      const first = sk(0);
      const last = sk(-1);
      const hasLater = backwards ? true : more;
      const hasEarlier = backwards ? more : cursor !== undefined;
      return {
        items: page.map((f) => f.value),
        nextCursor: hasLater && last ? encodeHistoryCursor({ sk: last, dir: 'next' }) : null,
        prevCursor: hasEarlier && first ? encodeHistoryCursor({ sk: first, dir: 'prev' }) : null,
      };
    },
  };
}
