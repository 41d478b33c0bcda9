import { occupiedSpan, spansOverlap } from '../../lib/access-codes/occupied-span';

describe('occupiedSpan', () => {
  it('is all time for an ongoing code', () => {
    expect(occupiedSpan({ type: 'ongoing' })).toEqual({});
  });

  it('is starts_at to ends_at for a time-bound code, recurring or not', () => {
    expect(occupiedSpan({ type: 'time_bound', starts_at: '2027-01-04T00:00:00.000Z', ends_at: '2027-02-01T00:00:00.000Z' })).toEqual({
      starts_at: '2027-01-04T00:00:00.000Z',
      ends_at: '2027-02-01T00:00:00.000Z',
    });
  });
});

describe('spansOverlap', () => {
  const jan = { starts_at: '2027-01-01T00:00:00.000Z', ends_at: '2027-02-01T00:00:00.000Z' };
  const feb = { starts_at: '2027-02-01T00:00:00.000Z', ends_at: '2027-03-01T00:00:00.000Z' };

  it.each([
    ['back-to-back spans', jan, feb, false],
    ['the same span', jan, jan, true],
    ['a span and all time', jan, {}, true],
    ['a span and one open at its start', jan, { ends_at: '2027-01-15T00:00:00.000Z' }, true],
    ['a span and one open at its end, starting as it ends', jan, { starts_at: '2027-02-01T00:00:00.000Z' }, false],
  ])('%s', (_name, a, b, overlap) => {
    expect(spansOverlap(a, b)).toBe(overlap);
    expect(spansOverlap(b, a)).toBe(overlap);
  });
});
