import { expectValid, seamSchemaErrors, toJsonSchema } from '../support/seam-schemas';

/*
 * The validators every e2e check relies on: if they accepted anything, every schema check in
 * this folder would pass vacuously.
 */

const id = '0b8f3f7e-2c7e-4f57-9d0a-8b1f5a0d6c11';
const at = '2026-01-05T10:00:00.000Z';

const accessCode = {
  workspace_id: id,
  access_code_id: id,
  device_id: id,
  name: 'Cleaner',
  code: '4826',
  common_code_key: null,
  type: 'time_bound',
  status: 'set',
  created_at: at,
  starts_at: at,
  ends_at: '2026-01-06T10:00:00.000Z',
  errors: [{ error_code: 'device_offline', message: 'Device is offline', created_at: at, is_device_error: true }],
  warnings: [],
  is_managed: true,
  is_backup_access_code_available: false,
  is_external_modification_allowed: false,
  is_one_time_use: false,
  is_offline_access_code: false,
  pending_mutations: [],
};

describe('OpenAPI 3.0 to JSON Schema', () => {
  test('nullable joins null to the type and the enum, or wraps composed schemas', () => {
    expect(toJsonSchema({ type: 'string', nullable: true })).toEqual({ type: ['string', 'null'] });
    expect(toJsonSchema({ type: 'string', enum: ['a'], nullable: true })).toEqual({ type: ['string', 'null'], enum: ['a', null] });
    expect(toJsonSchema({ nullable: true, oneOf: [{ type: 'string' }] })).toEqual({ anyOf: [{ oneOf: [{ type: 'string' }] }, { type: 'null' }] });
    expect(toJsonSchema({ description: 'anything', nullable: true })).toEqual({ description: 'anything' });
  });

  test('boolean exclusive bounds become numeric ones', () => {
    expect(toJsonSchema({ type: 'integer', minimum: 0, exclusiveMinimum: true })).toEqual({ type: 'integer', exclusiveMinimum: 0 });
    expect(toJsonSchema({ type: 'number', maximum: 9, exclusiveMaximum: false })).toEqual({ type: 'number', maximum: 9 });
  });

  test('extensions, discriminators, examples and unknown formats are dropped; component refs are rewritten', () => {
    expect(
      toJsonSchema({
        type: 'object',
        'x-route-path': '/access_codes',
        discriminator: { propertyName: 'kind' },
        example: {},
        properties: { n: { type: 'number', format: 'float' }, s: { type: 'string', format: 'x-unknown' }, r: { $ref: '#/components/schemas/device' } },
      }),
    ).toEqual({
      type: 'object',
      properties: { n: { type: 'number', format: 'float' }, s: { type: 'string' }, r: { $ref: 'seam-connect#/definitions/device' } },
    });
  });
});

describe("Seam's published schemas", () => {
  test('accept a well-formed access code and reject one with a broken field', () => {
    expectValid('access_code', accessCode);
    expect(seamSchemaErrors('access_code', { ...accessCode, status: 'active', created_at: 'yesterday' })).toEqual([
      expect.stringContaining('/created_at must match format "date-time"'),
      expect.stringContaining('/status must be equal to one of the allowed values'),
    ]);
  });

  test('name only the failing branch of a oneOf', () => {
    const errors = seamSchemaErrors('access_code', { ...accessCode, errors: [{ error_code: 'device_offline', message: 'Device is offline' }] });
    expect(errors).toEqual([
      expect.stringContaining("/errors/0 must have required property 'is_device_error'"),
      expect.stringContaining("/errors/0 must have required property 'created_at'"),
      expect.stringContaining('/errors/0 must match exactly one schema in oneOf'),
    ]);
  });

  test('tell action attempts apart by status', () => {
    expectValid('action_attempt', { action_attempt_id: id, action_type: 'CREATE_ACCESS_CODE', status: 'pending', result: null, error: null });
    expect(() => expectValid('action_attempt', { action_attempt_id: id, action_type: 'CREATE_ACCESS_CODE', status: 'error', result: null, error: null })).toThrow(/Not a valid Seam action_attempt/);
  });
});
