import { describe, expect, it } from 'vitest';
import { checkTimeZone, formatDate } from '../../../src/meta/dates.js';

// A Sunday, in ISO week 53 of 2020 and in week 2 of 2021 by moment's English (Sunday-first) weeks.
const SUNDAY = new Date('2021-01-03T15:04:05.678Z');

describe('moment format tokens', () => {
  it.each([
    ['YYYYMMDD-HHmmss', '20210103-150405'],
    ['YY-M-D H:m:s', '21-1-3 15:4:5'],
    ['dddd, MMMM Do YYYY, h:mm:ss a', 'Sunday, January 3rd 2021, 3:04:05 pm'],
    ['ddd MMM dd A hh', 'Sun Jan Su PM 03'],
    ['DDD DDDD DDDo', '3 003 3rd'],
    ['Q Qo d E e do', '1 1st 0 7 0 0th'],
    ['W WW Wo GGGG GG', '53 53 53rd 2020 20'],
    ['w ww wo gggg gg', '2 02 2nd 2021 21'],
    ['S SS SSS SSSS', '6 67 678 6780'],
    ['X x', '1609686245 1609686245678'],
    ['Z ZZ', '+00:00 +0000'],
    ['Hmm Hmmss hmm hmmss', '1504 150405 304 30405'],
    ['[Week] W [of] GGGG', 'Week 53 of 2020'],
    ['\\YYYY-\\MM', 'YYYY-MM'],
    ['YYYY-MM-DDTHH:mm:ss.SSS[Z]', '2021-01-03T15:04:05.678Z'],
  ])('formats %s', (format, expected) => {
    expect(formatDate(SUNDAY, format, 'UTC')).toBe(expected);
  });

  it('reads the wall clock of the time zone', () => {
    expect(formatDate(SUNDAY, 'YYYY-MM-DD HH:mm Z', 'America/New_York')).toBe('2021-01-03 10:04 -05:00');
    expect(formatDate(SUNDAY, 'YYYYMMDD-HHmmss ZZ', 'Asia/Kolkata')).toBe('20210103-203405 +0530');
    expect(formatDate(new Date('2020-01-10T00:30:00Z'), 'YYYYMMDD-HHmmss', 'Asia/Tokyo')).toBe('20200110-093000');
  });

  it('counts 24 for midnight with k', () => {
    expect(formatDate(new Date('2020-01-10T00:30:00Z'), 'k:mm kk', 'UTC')).toBe('24:30 24');
  });

  it("uses moment's default format without one: Z for a zero offset, else the offset", () => {
    expect(formatDate(SUNDAY, undefined, 'UTC')).toBe('2021-01-03T15:04:05Z');
    expect(formatDate(SUNDAY, undefined, 'Europe/London')).toBe('2021-01-03T15:04:05Z');
    expect(formatDate(SUNDAY, undefined, 'Asia/Tokyo')).toBe('2021-01-04T00:04:05+09:00');
  });

  it('rejects an unknown time zone', () => {
    expect(() => {
      checkTimeZone('Mars/Olympus');
    }).toThrow(RangeError);
    expect(() => {
      checkTimeZone('Europe/Paris');
    }).not.toThrow();
  });
});
