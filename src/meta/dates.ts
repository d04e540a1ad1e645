/**
 * moment.js's `format()` tokens (what `{{date 'YYYYMMDD' tz='Asia/Tokyo'}}` takes in docker/metadata-action), in
 * English, computed with Intl.DateTimeFormat for the time zone instead of bundling moment and its zone data.
 * Supported: [literal], \escapes, Y YY YYYY YYYYY YYYYYY, Q Qo, M Mo MM MMM MMMM, D Do DD, DDD DDDo DDDD,
 * d do dd ddd dddd e E, w wo ww W Wo WW, gg gggg ggggg GG GGGG GGGGG, H HH h hh k kk, m mm, s ss, S to SSSSSSSSS,
 * a A, Z ZZ, X x, z zz (Intl's short zone name), and Hmm Hmmss hmm hmmss. Any other character is literal.
 */

interface Wall {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** 0 = Sunday */
  weekday: number;
  /** Minutes east of UTC. */
  offset: number;
  zoneName: string;
  epoch: number;
}

import { dayOfYear, utc, weekOfYear, type WeekOfYear } from './calendar.js';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const WEEKDAY_INDEX = new Map(DAYS.map((day, index) => [day.slice(0, 3), index]));

const TOKENS =
  /(\[[^[]*\])|(\\)?(Hmmss|Hmm|hmmss|hmm|Mo|MMMM|MMM|MM|M|DDDo|DDDD|DDD|Do|DD|D|dddd|ddd|dd|do|d|w[ow]?|W[oW]?|Qo?|YYYYYY|YYYYY|YYYY|YY|ggggg|gggg|gg|GGGGG|GGGG|GG|e|E|a|A|hh?|HH?|kk?|mm?|ss?|S{1,9}|x|X|zz?|ZZ?|[\s\S])/g;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws a RangeError when Intl does not know the time zone. */
export function checkTimeZone(timeZone: string): void {
  formatter(timeZone);
}

/** `format` undefined: moment's default format (`...ss[Z]` when the offset is zero, else `...ssZ`). */
export function formatDate(date: Date, format: string | undefined, timeZone: string): string {
  const wall = wallClock(date, timeZone);
  const pattern = format ?? (wall.offset === 0 ? 'YYYY-MM-DDTHH:mm:ss[Z]' : 'YYYY-MM-DDTHH:mm:ssZ');
  return pattern.replace(TOKENS, (match, bracketed: string | undefined, escaped: string | undefined, token: string) => {
    if (bracketed !== undefined) return bracketed.slice(1, -1);
    if (escaped !== undefined) return token;
    return formatToken(token, wall) ?? match;
  });
}

function formatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone);
  if (found === undefined) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
      era: 'short',
      timeZoneName: 'short',
    });
    formatters.set(timeZone, found);
  }
  return found;
}

function wallClock(date: Date, timeZone: string): Wall {
  const parts = new Map(
    formatter(timeZone)
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  const number = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.get(type) ?? '0');
  const era = parts.get('era') ?? 'AD';
  const year = era.startsWith('B') ? 1 - number('year') : number('year');
  const wall = {
    year,
    month: number('month'),
    day: number('day'),
    hour: number('hour') % 24,
    minute: number('minute'),
    second: number('second'),
    millisecond: ((date.getTime() % 1000) + 1000) % 1000,
  };
  const asUtc = utc(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, wall.millisecond);
  return {
    ...wall,
    weekday: WEEKDAY_INDEX.get(parts.get('weekday') ?? '') ?? 0,
    offset: Math.round((asUtc - date.getTime()) / 60_000),
    zoneName: parts.get('timeZoneName') ?? '',
    epoch: date.getTime(),
  };
}

type Formatter = (w: Wall) => string;

const h12 = (w: Wall): number => (w.hour % 12 === 0 ? 12 : w.hour % 12);
const quarter = (w: Wall): number => Math.ceil(w.month / 3);
// moment's English locale counts weeks from Sunday, week 1 holding January 1st; ISO weeks start on Monday, week 1
// holding January 4th.
const localWeek = (w: Wall): WeekOfYear => weekOfYear(w, 0, 6);
const isoWeek = (w: Wall): WeekOfYear => weekOfYear(w, 1, 4);

const FORMATTERS: Readonly<Record<string, Formatter>> = {
  Y: (w) => (w.year <= 9999 ? pad(w.year, 4) : `+${w.year}`),
  YY: (w) => pad(Math.abs(w.year) % 100, 2),
  YYYY: (w) => pad(w.year, 4),
  YYYYY: (w) => pad(w.year, 5),
  YYYYYY: (w) => `${w.year < 0 ? '-' : '+'}${pad(Math.abs(w.year), 6)}`,
  Q: (w) => String(quarter(w)),
  Qo: (w) => ordinal(quarter(w)),
  M: (w) => String(w.month),
  Mo: (w) => ordinal(w.month),
  MM: (w) => pad(w.month, 2),
  MMM: (w) => monthName(w).slice(0, 3),
  MMMM: (w) => monthName(w),
  D: (w) => String(w.day),
  Do: (w) => ordinal(w.day),
  DD: (w) => pad(w.day, 2),
  DDD: (w) => String(dayOfYear(w)),
  DDDo: (w) => ordinal(dayOfYear(w)),
  DDDD: (w) => pad(dayOfYear(w), 3),
  d: (w) => String(w.weekday),
  e: (w) => String(w.weekday),
  do: (w) => ordinal(w.weekday),
  dd: (w) => dayName(w).slice(0, 2),
  ddd: (w) => dayName(w).slice(0, 3),
  dddd: (w) => dayName(w),
  E: (w) => String(w.weekday === 0 ? 7 : w.weekday),
  w: (w) => String(localWeek(w).week),
  wo: (w) => ordinal(localWeek(w).week),
  ww: (w) => pad(localWeek(w).week, 2),
  W: (w) => String(isoWeek(w).week),
  Wo: (w) => ordinal(isoWeek(w).week),
  WW: (w) => pad(isoWeek(w).week, 2),
  gg: (w) => pad(Math.abs(localWeek(w).year) % 100, 2),
  gggg: (w) => pad(localWeek(w).year, 4),
  ggggg: (w) => pad(localWeek(w).year, 5),
  GG: (w) => pad(Math.abs(isoWeek(w).year) % 100, 2),
  GGGG: (w) => pad(isoWeek(w).year, 4),
  GGGGG: (w) => pad(isoWeek(w).year, 5),
  H: (w) => String(w.hour),
  HH: (w) => pad(w.hour, 2),
  k: (w) => String(w.hour === 0 ? 24 : w.hour),
  kk: (w) => pad(w.hour === 0 ? 24 : w.hour, 2),
  h: (w) => String(h12(w)),
  hh: (w) => pad(h12(w), 2),
  Hmm: (w) => `${w.hour}${pad(w.minute, 2)}`,
  Hmmss: (w) => `${w.hour}${pad(w.minute, 2)}${pad(w.second, 2)}`,
  hmm: (w) => `${h12(w)}${pad(w.minute, 2)}`,
  hmmss: (w) => `${h12(w)}${pad(w.minute, 2)}${pad(w.second, 2)}`,
  m: (w) => String(w.minute),
  mm: (w) => pad(w.minute, 2),
  s: (w) => String(w.second),
  ss: (w) => pad(w.second, 2),
  a: (w) => (w.hour < 12 ? 'am' : 'pm'),
  A: (w) => (w.hour < 12 ? 'AM' : 'PM'),
  Z: (w) => offset(w.offset, ':'),
  ZZ: (w) => offset(w.offset, ''),
  X: (w) => String(Math.floor(w.epoch / 1000)),
  x: (w) => String(w.epoch),
  z: (w) => w.zoneName,
  zz: (w) => w.zoneName,
};

function formatToken(token: string, w: Wall): string | undefined {
  // S to SSSSSSSSS: fractions of a second, to as many digits (past milliseconds, zeros).
  if (/^S+$/.test(token)) return pad(w.millisecond, 3).padEnd(token.length, '0').slice(0, token.length);
  return FORMATTERS[token]?.(w);
}

function monthName(w: Wall): string {
  return MONTHS[w.month - 1] ?? '';
}

function dayName(w: Wall): string {
  return DAYS[w.weekday] ?? '';
}

function pad(value: number, width: number): string {
  const text = String(Math.abs(value)).padStart(width, '0');
  return value < 0 ? `-${text}` : text;
}

function ordinal(value: number): string {
  const tens = Math.floor((value % 100) / 10);
  const ones = value % 10;
  const suffix = tens === 1 ? 'th' : ones === 1 ? 'st' : ones === 2 ? 'nd' : ones === 3 ? 'rd' : 'th';
  return `${value}${suffix}`;
}

function offset(minutes: number, separator: string): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}${separator}${pad(abs % 60, 2)}`;
}
