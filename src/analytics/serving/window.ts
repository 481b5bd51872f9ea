import { InvalidInputError } from '../../domain/errors';

/**
 * A time window over relations: those that occurred from `from` (included) to `to` (excluded),
 * in milliseconds since the epoch. Analytics over a window answer the all-time question on the
 * window's relations only; every consumer and provider stays a node.
 */
export interface TimeWindow {
  from: number;
  to: number;
}

/** What a caller asks for: fixed bounds, or a rolling `last` duration such as P90D. */
export interface WindowInput {
  from?: Date | null;
  to?: Date | null;
  last?: string | null;
}

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;
/** The longest window: ten years of 366 days. */
export const MAX_WINDOW_MS = 3660 * DAY_MS;
/** Times before 1970 or after 9999 are refused: stored times are compared as text of four-digit years. */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31);

/**
 * ISO-8601 durations in years, months, weeks, days and hours (`P90D`, `P1Y`, `P2W`, `P1DT12H`).
 * Minutes and seconds are refused: rolling windows are aligned to the hour.
 */
const DURATION = /^P(?:(\d{1,4})Y)?(?:(\d{1,5})M)?(?:(\d{1,5})W)?(?:(\d{1,6})D)?(?:T(\d{1,7})H)?$/;

/** The window of `input` as of `now`, or null (all time) when no input is given; bad input throws field-level errors. */
export function resolveWindow(input: WindowInput | null | undefined, now = Date.now(), field = 'window'): TimeWindow | null {
  if (!input) return null;
  const { from, to, last } = input;
  if (last != null) {
    if (from != null || to != null) throw InvalidInputError.of(`${field}.last`, 'give either `last` or `from` and `to`, not both');
    return rollingWindow(last, now, field);
  }
  if (from == null || to == null) {
    const missing = from == null ? 'from' : 'to';
    throw InvalidInputError.of(`${field}.${missing}`, 'is required unless `last` is given');
  }
  return checkedWindow({ from: from.getTime(), to: to.getTime() }, field);
}

/** The `last` duration ending at the start of the next hour, so that every request in one hour asks the same window. */
function rollingWindow(last: string, now: number, field: string): TimeWindow {
  const to = Math.ceil(now / HOUR_MS) * HOUR_MS;
  return checkedWindow({ from: minusDuration(to, last, `${field}.last`), to }, field);
}

function minusDuration(to: number, duration: string, field: string): number {
  const match = DURATION.exec(duration);
  if (!match || duration === 'P' || duration.endsWith('T')) {
    throw InvalidInputError.of(field, 'must be an ISO-8601 duration in years, months, weeks, days or hours, such as P90D, P12W, P1Y or PT6H');
  }
  const [years, months, weeks, days, hours] = match.slice(1).map((part) => Number(part ?? 0));
  if (years + months + weeks + days + hours === 0) throw InvalidInputError.of(field, 'must be longer than zero');
  if (years * 366 + months * 31 + weeks * 7 + days + hours / 24 > MAX_WINDOW_MS / DAY_MS) {
    throw InvalidInputError.of(field, `must be at most ${MAX_WINDOW_MS / DAY_MS} days`);
  }
  const end = new Date(to);
  // Calendar arithmetic for years and months (a month back from 31 March is 3 March, as in Date's overflow rule).
  end.setUTCFullYear(end.getUTCFullYear() - years, end.getUTCMonth() - months);
  return end.getTime() - (weeks * 7 + days) * DAY_MS - hours * HOUR_MS;
}

function checkedWindow(window: TimeWindow, field: string): TimeWindow {
  if (!Number.isFinite(window.from) || window.from < EARLIEST || window.from > LATEST) {
    throw InvalidInputError.of(`${field}.from`, 'must be a time from 1970 to 9999');
  }
  if (!Number.isFinite(window.to) || window.to < EARLIEST || window.to > LATEST) {
    throw InvalidInputError.of(`${field}.to`, 'must be a time from 1970 to 9999');
  }
  if (window.from >= window.to) throw InvalidInputError.of(`${field}.to`, 'must be later than `from`');
  if (window.to - window.from > MAX_WINDOW_MS) {
    throw InvalidInputError.of(`${field}.to`, `must be at most ${MAX_WINDOW_MS / DAY_MS} days after \`from\``);
  }
  return window;
}

/** Names a window in cache keys. */
export function windowKey(window: TimeWindow | null | undefined): string {
  return window ? `${window.from}-${window.to}` : 'all';
}

export const INTERVALS = ['DAY', 'WEEK', 'MONTH'] as const;
export type Interval = (typeof INTERVALS)[number];

/** Points of one history, at most: each is a computation on its own window. */
export const MAX_HISTORY_POINTS = 60;

/**
 * The calendar periods (UTC days, ISO weeks from Monday, months) that overlap `window`, oldest
 * first, each whole: a history's points are comparable, and each one can be cached for good.
 */
export function periodsOf(window: TimeWindow, interval: Interval, field = 'window'): TimeWindow[] {
  const periods: TimeWindow[] = [];
  for (let start = periodStart(window.from, interval); start < window.to; start = periodEnd(start, interval)) {
    if (periods.length === MAX_HISTORY_POINTS) {
      throw InvalidInputError.of(field, `covers more than ${MAX_HISTORY_POINTS} ${interval.toLowerCase()}s: shorten it or use a longer interval`);
    }
    periods.push({ from: start, to: periodEnd(start, interval) });
  }
  return periods;
}

function periodStart(time: number, interval: Interval): number {
  const day = Math.floor(time / DAY_MS) * DAY_MS;
  if (interval === 'DAY') return day;
  if (interval === 'WEEK') return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS;
  const date = new Date(day);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

function periodEnd(start: number, interval: Interval): number {
  if (interval === 'DAY') return start + DAY_MS;
  if (interval === 'WEEK') return start + 7 * DAY_MS;
  const date = new Date(start);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}
