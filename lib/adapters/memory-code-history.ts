import type { AccessCode } from '../access-codes/schemas';
import { type SeamEvent, isCodeEvent } from '../events/schemas';
import type { CodeHistoryRepository, GoneAccessCode } from '../ports';
import { decodeHistoryCursor, encodeHistoryCursor } from './dynamodb-code-history';
import { codeHistoryKeys } from './dynamodb-keys';
import { copy } from './memory-copy';

const DAY_MS = 86_400_000;
interface Stored {
  event: SeamEvent;
  sk: string;
}

/** Codes' histories in memory, with the DynamoDB adapter's ordering, cursors and retention. */
export function memoryCodeHistory(codeHistoryDays: number) {
  const events = new Map<string, Stored[]>();
  const gone = new Map<string, GoneAccessCode>();
  const key = (workspaceId: string, accessCodeId: string) => `${workspaceId}|${accessCodeId}`;

  const repository: CodeHistoryRepository = {
    async getGone(workspaceId, accessCodeId) {
      const g = gone.get(key(workspaceId, accessCodeId));
      return g && copy(g);
    },
    async listEvents(workspaceId, accessCodeId, query) {
      const cursor = query.cursor === undefined ? undefined : decodeHistoryCursor(query.cursor);
      const all = (events.get(key(workspaceId, accessCodeId)) ?? [])
        .filter(({ event: e }) => (query.after === undefined || e.occurred_at > query.after) && (query.before === undefined || e.occurred_at < query.before))
        .filter(({ event: e }) => query.eventTypes === undefined || query.eventTypes.includes(e.event_type))
        .sort((a, b) => a.sk.localeCompare(b.sk));
      const backwards = cursor?.dir === 'prev';
      const candidates = cursor === undefined ? all : backwards ? all.filter((e) => e.sk < cursor.sk).reverse() : all.filter((e) => e.sk > cursor.sk);
      const more = candidates.length > query.limit;
      const page = candidates.slice(0, query.limit);
      if (backwards) page.reverse();
      const first = page.at(0);
      const last = page.at(-1);
      const hasLater = backwards || more;
      const hasEarlier = backwards ? more : cursor !== undefined;
      return {
        items: copy(page.map((s) => s.event)),
        nextCursor: hasLater && last ? encodeHistoryCursor({ sk: last.sk, dir: 'next' }) : null,
        prevCursor: hasEarlier && first ? encodeHistoryCursor({ sk: first.sk, dir: 'prev' }) : null,
      };
    },
  };

  return {
    repository,
    record(list: readonly SeamEvent[]) {
      list.forEach((e, position) => {
        if (!isCodeEvent(e)) return;
        const k = key(e.workspace_id, e.access_code_id);
        const stored = { event: copy(e), sk: codeHistoryKeys.eventSortKey(e.occurred_at, position, e.event_id) };
        // Appended in place: copying the list on each event made a code's thousandth update copy a thousand events.
        const list = events.get(k);
        if (list) list.push(stored);
        else events.set(k, [stored]);
      });
    },
    gone(accessCode: AccessCode, removedAt: string) {
      gone.set(key(accessCode.workspace_id, accessCode.access_code_id), {
        access_code: copy(accessCode),
        removed_at: removedAt,
        readable_until: new Date(Date.parse(removedAt) + codeHistoryDays * DAY_MS).toISOString(),
      });
    },
  };
}
