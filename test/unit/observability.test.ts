import { describeFault, redactSecrets } from '../../lib/logger';
import { secretsIn } from '../support/log-scan';

describe('what a 500 logs', () => {
  it('keeps the class, message and stack, without anything shaped like a PIN or a credential', () => {
    const error = new TypeError('ValidationException on key PIN#48291 for Bearer seam_live_0123456789abcdef and whsec_c2VjcmV0');
    const fault = describeFault(error);
    expect(fault.name).toBe('TypeError');
    expect(fault.message).toBe('ValidationException on key PIN#[redacted] for Bearer [redacted] and [redacted]');
    expect(fault.stack).toContain('observability.test.ts');
    expect(fault.stack).not.toMatch(/48291|seam_live|whsec_c2/);
  });

  it('leaves ids, timestamps and line numbers alone', () => {
    const text = 'code 00000000-0000-4000-8000-000000000000 at 2026-11-30T12:00:00.000Z (lib/x.ts:1234:56) msg_a1234b';
    expect(redactSecrets(text)).toBe(text);
  });
});

describe("the scan of the suite's log output", () => {
  it('finds a PIN or a key in a log line, and nothing in a clean one', () => {
    expect(secretsIn(['{"level":"INFO","code":"4829"}'])).toEqual([{ line: '{"level":"INFO","code":"4829"}', found: ['4829'] }]);
    expect(secretsIn(['{"level":"INFO","authorization":"Bearer seam_abc_0123456789abcdef"}'])[0]?.found).toContain('seam_abc_0123456789abcdef');
    expect(secretsIn(['{"level":"INFO","request_id":"00000000-0000-4000-8000-000000000000","status":200,"duration_ms":1234}'])).toEqual([]);
  });
});
