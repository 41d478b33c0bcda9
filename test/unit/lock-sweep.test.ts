import { createAccessCode } from '../../lib/access-codes/create-access-code';
import { getAccessCode } from '../../lib/access-codes/get-access-code';
import { createAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { simulateExternalChange } from '../../lib/access-codes/simulate-external-change';
import { pollDueCodes } from '../../lib/engine/poll-due-codes';
import { nextSweepAt } from '../../lib/engine/lock-sweep';
import { memoryApp, sandboxWorkspace } from '../support/memory-app';

const minute = 60_000;

describe('the sweep of idle locks', () => {
  it('finds a silent change at an idle lock within one sweep interval and puts the PIN back; an unchanged lock writes nothing', async () => {
    const app = memoryApp({ latencyMs: 500 });
    const deps = { ...app.deps, settings: { ...app.deps.settings, lockSweepMs: minute } };
    const ws = await sandboxWorkspace(deps);
    const lock = ws.byType('kwikset_lock');
    const { access_code } = await createAccessCode(deps, ws.principal, createAccessCodeInputSchema.parse({ device_id: lock.device_id, code: '5729' }));
    const tick = async (times: number, ms: number) => {
      for (let i = 0; i < times; i++) {
        app.clock.advance(ms);
        await pollDueCodes(deps);
      }
    };
    await tick(4, 1000);
    const set = await deps.accessCodes.get(ws.workspaceId, access_code.access_code_id);
    expect(set?.access_code.status).toBe('set');

    // A whole interval with nothing changed at the lock: the code is not written again.
    await tick(13, 5000);
    expect((await deps.accessCodes.get(ws.workspaceId, access_code.access_code_id))?.version).toBe(set?.version);

    await simulateExternalChange(deps, ws.principal, { access_code_id: access_code.access_code_id, change_type: 'modified', code: '1357', silent: true });
    // Nothing announced it: the code is not made due.
    expect((await deps.accessCodes.get(ws.workspaceId, access_code.access_code_id))?.due_at).toBeUndefined();
    await tick(14, 5000);
    const events = await deps.events.list(ws.workspaceId, { limit: 50, access_code_id: access_code.access_code_id, event_type: 'access_code.modified_external_to_seam' });
    expect(events).toHaveLength(1);
    // Putting the PIN back takes the lock's latency after the sweep found the change.
    await tick(4, 1000);
    expect(await getAccessCode(deps, ws.principal, { access_code_id: access_code.access_code_id })).toMatchObject({ code: '5729', status: 'set' });
  });

  it('spreads 10,000 locks (ids in sequence, as a worst case) evenly over the interval: each minute of an hour gets about a sixtieth', () => {
    const now = new Date('2026-11-23T12:00:00.000Z');
    const perMinute = new Array<number>(60).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const at = Date.parse(nextSweepAt(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, 60 * minute, now));
      expect(at).toBeGreaterThan(now.getTime());
      expect(at).toBeLessThanOrEqual(now.getTime() + 60 * minute);
      const slot = Math.floor((at - now.getTime() - 1) / minute);
      perMinute[slot] = (perMinute[slot] ?? 0) + 1;
    }
    // 166.7 a minute on average; a fair hash keeps every minute within a third of it.
    expect(Math.min(...perMinute)).toBeGreaterThan(110);
    expect(Math.max(...perMinute)).toBeLessThan(225);
  });
});
