import { copy } from '../../lib/adapters/memory-copy';

describe('memory stores copy', () => {
  it('copies plain data deeply: equal, and sharing no object with the original', () => {
    const original = {
      access_code: { code: '4711', name: null, errors: [{ error_code: 'x', nested: { a: [1, 2, { b: true }] } }], starts_at: undefined },
      list: [[1], [4]] as number[][],
    };
    const copied = copy(original);
    expect(copied).toStrictEqual(original);
    expect('starts_at' in copied.access_code).toBe(true);
    copied.access_code.code = '0000';
    copied.access_code.errors[0]?.nested.a.push(3);
    copied.list[0]?.push(2);
    expect(original.access_code.code).toBe('4711');
    expect(original.access_code.errors[0]?.nested.a).toEqual([1, 2, { b: true }]);
    expect(original.list[0]).toEqual([1]);
  });

  it('copies a Date as a Date and anything else as structuredClone does', () => {
    const when = new Date('2026-12-06T00:00:00.000Z');
    const original = { when, tags: new Set(['a']), bytes: new Uint8Array([1, 2]) };
    const copied = copy(original);
    expect(copied).toStrictEqual(original);
    expect(copied.when).not.toBe(when);
    expect(copied.tags).not.toBe(original.tags);
    expect(copied.bytes).not.toBe(original.bytes);
  });

  it('keeps an object without a prototype without one', () => {
    const bare: Record<string, unknown> = Object.assign(Object.create(null), { a: { b: [1] } });
    const copied = copy(bare);
    expect(Object.getPrototypeOf(copied)).toBeNull();
    expect(copied).toEqual(bare);
    expect(copied.a).not.toBe(bare.a);
  });

  it('passes primitives through', () => {
    expect(copy('x')).toBe('x');
    expect(copy(7)).toBe(7);
    expect(copy(null)).toBeNull();
    expect(copy(undefined)).toBeUndefined();
  });
});
