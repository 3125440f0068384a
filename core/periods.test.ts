import { InvalidInput } from './errors';
import { bucketsOf, fromLocal, isoInZone, monthPeriod, periodOf } from './periods';

const BAHIA = 'America/Bahia';
const SAO_PAULO = 'America/Sao_Paulo';
const ms = (iso: string) => Date.parse(iso);

describe('roll-up buckets in America/Bahia (UTC−3)', () => {
  it('puts 02:59Z on Jan 1 into the last hour of Dec 31 local', () => {
    expect(bucketsOf(ms('2026-01-01T02:59:59Z'), BAHIA)).toEqual({
      hour: '2025-12-31T23',
      day: '2025-12-31',
      month: '2025-12',
    });
  });

  it('puts 03:00Z on Jan 1 into the new year', () => {
    expect(bucketsOf(ms('2026-01-01T03:00:00Z'), BAHIA)).toEqual({
      hour: '2026-01-01T00',
      day: '2026-01-01',
      month: '2026-01',
    });
  });

  it('formats instants with the zone offset', () => {
    expect(isoInZone(ms('2026-11-25T12:00:00Z'), BAHIA)).toBe('2026-11-25T09:00:00-03:00');
  });
});

describe('periodOf', () => {
  const now = ms('2026-03-01T02:30:00Z'); // 2026-02-28 23:30 in Bahia

  it('day 0 is the local calendar day, 24 hourly buckets', () => {
    const period = periodOf('D', 0, now, BAHIA);
    expect(new Date(period.startMs).toISOString()).toBe('2026-02-28T03:00:00.000Z');
    expect(new Date(period.endMs).toISOString()).toBe('2026-03-01T03:00:00.000Z');
    expect(period.bucketLevel).toBe('hour');
    expect(period.bucketKeys).toHaveLength(24);
    expect(period.bucketKeys[0]).toBe('2026-02-28T00');
    expect(period.bucketKeys[23]).toBe('2026-02-28T23');
  });

  it('month 0 at 23:30 on Feb 28 local is February (UTC has already turned to March)', () => {
    const period = periodOf('M', 0, now, BAHIA);
    expect(new Date(period.startMs).toISOString()).toBe('2026-02-01T03:00:00.000Z');
    expect(new Date(period.endMs).toISOString()).toBe('2026-03-01T03:00:00.000Z');
    expect(period.bucketKeys).toHaveLength(28);
    expect(period.bucketKeys[27]).toBe('2026-02-28');
  });

  it('leap day: February 2028 has 29 daily buckets and day 29 exists', () => {
    const leap = ms('2028-02-29T15:00:00Z');
    expect(periodOf('M', 0, leap, BAHIA).bucketKeys).toHaveLength(29);
    const day = periodOf('D', 0, leap, BAHIA);
    expect(day.bucketKeys[0]).toBe('2028-02-29T00');
    expect(periodOf('D', 1, ms('2028-03-01T12:00:00Z'), BAHIA).bucketKeys[0]).toBe('2028-02-29T00');
  });

  it('month periodo crosses the year end backwards', () => {
    const period = periodOf('M', 3, ms('2026-02-10T12:00:00Z'), BAHIA);
    expect(period.bucketKeys[0]).toBe('2025-11-01');
    expect(period.bucketKeys).toHaveLength(30);
  });

  it('year periodo far back: 26 years before 2026 is 2000, 12 monthly buckets', () => {
    const period = periodOf('Y', 26, ms('2026-06-01T12:00:00Z'), BAHIA);
    expect(period.bucketKeys).toEqual([
      '2000-01', '2000-02', '2000-03', '2000-04', '2000-05', '2000-06',
      '2000-07', '2000-08', '2000-09', '2000-10', '2000-11', '2000-12',
    ]);
    // Bahia kept daylight saving time (UTC−2) in the summers of 1999/2000 and 2000/2001.
    expect(new Date(period.startMs).toISOString()).toBe('2000-01-01T02:00:00.000Z');
    expect(new Date(period.endMs).toISOString()).toBe('2001-01-01T02:00:00.000Z');
  });

  it('day periodo 400 back lands on the right calendar day across leap years', () => {
    const period = periodOf('D', 400, ms('2026-06-01T12:00:00Z'), BAHIA);
    expect(period.bucketKeys[0]).toBe('2025-04-27T00');
  });

  it('a DST day in a zone that had DST has 23 hourly buckets (São Paulo, 2018-11-04)', () => {
    const period = periodOf('D', 0, ms('2018-11-04T15:00:00Z'), SAO_PAULO);
    expect(period.bucketKeys).toHaveLength(23);
    expect(period.bucketKeys[0]).toBe('2018-11-04T01');
    expect(new Date(period.startMs).toISOString()).toBe('2018-11-04T03:00:00.000Z');
    expect(period.endMs - period.startMs).toBe(23 * 3_600_000);
  });
});

describe('monthPeriod', () => {
  it('December closes at the local new year', () => {
    const period = monthPeriod('2025-12', BAHIA);
    expect(new Date(period.startMs).toISOString()).toBe('2025-12-01T03:00:00.000Z');
    expect(new Date(period.endMs).toISOString()).toBe('2026-01-01T03:00:00.000Z');
  });

  it.each(['2025-13', '2025-00', '25-01', '2025-1', ''])('rejects %p', (month) => {
    expect(() => monthPeriod(month, BAHIA)).toThrow(new InvalidInput('mes: must be YYYY-MM', 'mes'));
  });

  it('fromLocal finds midnight local', () => {
    expect(new Date(fromLocal(2026, 11, 25, 0, BAHIA)).toISOString()).toBe('2026-11-25T03:00:00.000Z');
  });
});
