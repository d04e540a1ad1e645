/** Calendar arithmetic for the date formats: day of the year and moment's week numbering. */

export interface CalendarDay {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
}

export interface WeekOfYear {
  week: number;
  /** The week's year, which differs from the day's around January 1st. */
  year: number;
}

/** Milliseconds since the epoch of a UTC wall-clock time, for any year (Date.UTC maps 0-99 to 1900-1999). */
export function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

export function dayOfYear(w: CalendarDay): number {
  return Math.round((utc(w.year, w.month - 1, w.day) - utc(w.year, 0, 1)) / 86_400_000) + 1;
}

function daysInYear(year: number): number {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 366 : 365;
}

// moment's week arithmetic: `dow` is the first day of the week, `doy` makes the week holding January (7 + dow - doy)
// the first one.
function firstWeekOffset(year: number, dow: number, doy: number): number {
  const fwd = 7 + dow - doy;
  const fwdWeekday = (7 + new Date(utc(year, 0, fwd)).getUTCDay() - dow) % 7;
  return -fwdWeekday + fwd - 1;
}

function weeksInYear(year: number, dow: number, doy: number): number {
  return (daysInYear(year) - firstWeekOffset(year, dow, doy) + firstWeekOffset(year + 1, dow, doy)) / 7;
}

export function weekOfYear(w: CalendarDay, dow: number, doy: number): WeekOfYear {
  const week = Math.floor((dayOfYear(w) - firstWeekOffset(w.year, dow, doy) - 1) / 7) + 1;
  if (week < 1) return { year: w.year - 1, week: week + weeksInYear(w.year - 1, dow, doy) };
  const weeks = weeksInYear(w.year, dow, doy);
  if (week > weeks) return { year: w.year + 1, week: week - weeks };
  return { year: w.year, week };
}
