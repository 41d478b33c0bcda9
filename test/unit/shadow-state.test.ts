import { applyUpdate, delta, getDocument, maxStateBytes, ShadowRequestError } from '../../lib/hub-contract/shadow-state';

describe('IoT shadow semantics (the local IoT Core stand-in)', () => {
  test('a first update creates version 1 with per-leaf timestamps, and answers accepted and documents', () => {
    const { next, accepted, documents, delta: gap } = applyUpdate(undefined, { state: { desired: { slots: { '1': '1234' } } }, clientToken: 't1' }, 100);
    expect(next).toEqual({ state: { desired: { slots: { '1': '1234' } } }, metadata: { desired: { slots: { '1': { timestamp: 100 } } } }, version: 1 });
    expect(accepted).toEqual({ state: { desired: { slots: { '1': '1234' } } }, metadata: { desired: { slots: { '1': { timestamp: 100 } } } }, version: 1, timestamp: 100, clientToken: 't1' });
    expect(documents).toMatchObject({ previous: null, current: { version: 1 }, clientToken: 't1' });
    expect(gap).toEqual({ version: 1, timestamp: 100, state: { slots: { '1': '1234' } }, metadata: { slots: { '1': { timestamp: 100 } } }, clientToken: 't1' });
  });

  test('updates merge deeply, null deletes a key, and a delta lists only desired leaves the report does not match', () => {
    let shadow = applyUpdate(undefined, { state: { desired: { slots: { '1': '1234', '2': '5678' } } } }, 1).next;
    shadow = applyUpdate(shadow, { state: { reported: { slots: { '1': '1234', '2': '' }, lock: { capacity: 5 } } } }, 2).next;
    const after = applyUpdate(shadow, { state: { desired: { slots: { '2': null } } } }, 3);
    expect(after.next.state.desired).toEqual({ slots: { '1': '1234' } });
    expect(after.delta).toBeUndefined();
    expect(delta({ slots: { '1': 'a', '2': '' } }, { slots: { '1': 'a', '2': 'b' } })).toEqual({ slots: { '2': '' } });
  });

  test('an update with a stale version is rejected with 409 and changes nothing', () => {
    const shadow = applyUpdate(undefined, { state: { desired: { slots: { '1': '1' } } } }, 1).next;
    expect(() => applyUpdate(shadow, { state: { desired: { slots: { '1': '2' } } }, version: 0 }, 2)).toThrow(expect.objectContaining({ code: 409 }));
    expect(applyUpdate(shadow, { state: { desired: { slots: { '1': '2' } } }, version: 1 }, 2).next.version).toBe(2);
  });

  test('a state document over 8 KB is refused with 413; an update without state with 400', () => {
    const big = { slots: Object.fromEntries(Array.from({ length: 900 }, (_, i) => [String(i + 1), '1234567890'])) };
    expect(JSON.stringify(big).length).toBeGreaterThan(maxStateBytes);
    expect(() => applyUpdate(undefined, { state: { desired: big } }, 1)).toThrow(ShadowRequestError);
    expect(() => applyUpdate(undefined, { state: {} }, 1)).toThrow(expect.objectContaining({ code: 400 }));
  });

  test('get answers state, metadata, delta and version', () => {
    let shadow = applyUpdate(undefined, { state: { desired: { slots: { '1': '9' } } } }, 5).next;
    shadow = applyUpdate(shadow, { state: { reported: { slots: { '1': '' } } } }, 6).next;
    expect(getDocument(shadow, 7, 'c')).toEqual({
      state: { desired: { slots: { '1': '9' } }, reported: { slots: { '1': '' } }, delta: { slots: { '1': '9' } } },
      metadata: { desired: { slots: { '1': { timestamp: 5 } } }, reported: { slots: { '1': { timestamp: 6 } } }, delta: { slots: { '1': { timestamp: 5 } } } },
      version: 2,
      timestamp: 7,
      clientToken: 'c',
    });
  });
});
