import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { deleteAccessCodeInputSchema, updateAccessCodeInputSchema } from '../../lib/access-codes/schemas';
import { InvalidInputError } from '../../lib/errors';
import { readIdempotencyKey, requestFingerprint } from '../../lib/http/idempotency-key';
import { rawInput } from '../../lib/http/request';
import { keyDigest, openAnswer, sealAnswer } from '../../lib/idempotency/seal';

const event = (request: { query?: string; body?: string }) => ({ rawQueryString: request.query ?? '', body: request.body, isBase64Encoded: false }) as unknown as APIGatewayProxyEventV2;
const fingerprintOf = (path: string, schema: Parameters<typeof rawInput>[0], request: { query?: string; body?: string }) => requestFingerprint(path, rawInput(schema, event(request), 1_000_000));
const id = '6f3c9a52-8d1e-4b7a-9c2f-1e5d7a3b9c40';

describe('the request fingerprint', () => {
  it('does not depend on the order of keys, at any depth', () => {
    expect(requestFingerprint('/access_codes/create', { a: 1, b: { c: [1, { d: 2, e: 3 }] } })).toBe(requestFingerprint('/access_codes/create', { b: { c: [1, { e: 3, d: 2 }] }, a: 1 }));
  });

  it('tells apart other values, another order of a list, and another route', () => {
    const base = requestFingerprint('/access_codes/create', { device_id: id, code: '1234' });
    expect(requestFingerprint('/access_codes/create', { device_id: id, code: '1235' })).not.toBe(base);
    expect(requestFingerprint('/access_codes/create', { device_id: id })).not.toBe(base);
    expect(requestFingerprint('/access_codes/create_multiple', { device_id: id, code: '1234' })).not.toBe(base);
    expect(requestFingerprint('/x', { ids: [1, 2] })).not.toBe(requestFingerprint('/x', { ids: [2, 1] }));
  });

  it('is the same for a 1.x POST body and a 2.x DELETE query of one delete', () => {
    const post = fingerprintOf('/access_codes/delete', deleteAccessCodeInputSchema, { body: JSON.stringify({ access_code_id: id, sync: false }) });
    expect(fingerprintOf('/access_codes/delete', deleteAccessCodeInputSchema, { query: `sync=false&access_code_id=${id}` })).toBe(post);
  });

  it('is the same for a 1.x POST and a 2.x PATCH of one update, whatever the key order', () => {
    const post = fingerprintOf('/access_codes/update', updateAccessCodeInputSchema, { body: JSON.stringify({ access_code_id: id, name: 'Guest', code: '4821' }) });
    expect(fingerprintOf('/access_codes/update', updateAccessCodeInputSchema, { body: JSON.stringify({ code: '4821', name: 'Guest', access_code_id: id }) })).toBe(post);
  });

  it('reads query values in the form the body would carry them (booleans, numbers)', () => {
    expect(fingerprintOf('/access_codes/delete', deleteAccessCodeInputSchema, { query: `access_code_id=${id}&sync=true` })).toBe(
      fingerprintOf('/access_codes/delete', deleteAccessCodeInputSchema, { body: JSON.stringify({ sync: true, access_code_id: id }) }),
    );
  });
});

describe('the Idempotency-Key header', () => {
  it.each([
    ['one character', 'k'],
    ['spaces and punctuation', 'order-2026-12-05/guest 17'],
    ['255 characters', '~'.repeat(255)],
  ])('accepts %s', (_, key) => {
    expect(readIdempotencyKey({ 'idempotency-key': key })).toBe(key);
  });

  it('is optional', () => {
    expect(readIdempotencyKey({})).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['non-ASCII', 'clé'],
    ['a control character', 'a\tb'],
  ])('is invalid_input naming the header when %s', (_, key) => {
    let thrown: unknown;
    try {
      readIdempotencyKey({ 'idempotency-key': key });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidInputError);
    expect(thrown).toMatchObject({ message: expect.stringContaining('Idempotency-Key'), extra: { validation_errors: { 'Idempotency-Key': { _errors: [expect.any(String)] } } } });
  });
});

describe('a kept answer, sealed under its key', () => {
  const answer = { status: 200, body: { client_session: { token: 'seam_cst1_secret' }, ok: true } };
  const claim = { workspaceId: 'ws-1', key: 'booking-4711' };

  it('opens with the key and workspace it was sealed under', () => {
    expect(openAnswer(claim, sealAnswer(claim, answer))).toEqual(answer);
  });

  it('holds neither the answer nor the key in clear', () => {
    const sealed = sealAnswer(claim, answer);
    expect(sealed).not.toContain('seam_cst1_secret');
    expect(sealed).not.toContain(Buffer.from('seam_cst1_secret').toString('base64url'));
    expect(keyDigest(claim.key)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not open under another key or in another workspace', () => {
    const sealed = sealAnswer(claim, answer);
    expect(() => openAnswer({ ...claim, key: 'booking-4712' }, sealed)).toThrow();
    expect(() => openAnswer({ ...claim, workspaceId: 'ws-2' }, sealed)).toThrow();
  });
});
