import { upstreamEntry } from '../../lib/providers/seam/upstream-entries';

const at = new Date('2026-12-05T10:00:00.000Z');

describe('an upstream Seam event as a keypad entry (upstream ids; Latchkey maps them to its own)', () => {
  it('maps lock.unlocked by a code to an unlocked entry keyed by the upstream event, with the upstream code as the place the lock keeps it', () => {
    expect(upstreamEntry({ event_id: 'evt_9', event_type: 'lock.unlocked', device_id: 'up_dev', access_code_id: 'up_code', method: 'keycode', occurred_at: '2026-12-05T09:59:58Z' }, at)).toEqual({
      upstreamDeviceId: 'up_dev',
      report: { entry_id: 'seam:evt_9', occurred_at: '2026-12-05T09:59:58.000Z', outcome: 'unlocked', provider_ref: 'up_code' },
    });
  });

  it('maps lock.access_denied with its reason, and takes the time received when the upstream gives none', () => {
    expect(upstreamEntry({ event_id: 'evt_10', event_type: 'lock.access_denied', device_id: 'up_dev', reason: { reason_code: 'expired_code', message: 'x' } }, at)).toEqual({
      upstreamDeviceId: 'up_dev',
      report: { entry_id: 'seam:evt_10', occurred_at: at.toISOString(), outcome: 'denied', reason: 'expired_code' },
    });
    expect(upstreamEntry({ event_id: 'evt_11', event_type: 'lock.access_denied', device_id: 'up_dev', reason: { reason_code: 'too_many_attempts' } }, at)?.report).not.toHaveProperty('reason');
  });

  it('is no entry for a remote or manual unlock, another event, or one without its ids', () => {
    expect(upstreamEntry({ event_id: 'e', event_type: 'lock.unlocked', device_id: 'd', method: 'remote' }, at)).toBeUndefined();
    expect(upstreamEntry({ event_id: 'e', event_type: 'lock.locked', device_id: 'd', method: 'keycode' }, at)).toBeUndefined();
    expect(upstreamEntry({ event_type: 'lock.unlocked', device_id: 'd', method: 'keycode' }, at)).toBeUndefined();
    expect(upstreamEntry({ event_id: 'e', event_type: 'lock.unlocked', method: 'keycode' }, at)).toBeUndefined();
    expect(upstreamEntry('not an event', at)).toBeUndefined();
  });
});
