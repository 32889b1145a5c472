/** One piece of a date/time pattern such as `M/d/yyyy` or `yyyy-MM-dd HH:mm:ss`. */
export type TemporalToken =
  | { kind: 'literal'; text: string }
  /** `yyyy` four digits; `yy` two digits read as 2000–2099. */
  | { kind: 'year'; digits: 2 | 4 }
  /** Numbers: `M`, `d`, `H`, `h`, `m`, `s` take 1 or 2 digits; doubled letters exactly 2. */
  | { kind: 'month' | 'day' | 'hour' | 'hour12' | 'minute' | 'second'; exact: boolean }
  /** `MMM` Jan…Dec, `MMMM` January…December (English, any case). */
  | { kind: 'monthName'; long: boolean }
  /** `a`: AM or PM (any case). */
  | { kind: 'ampm' }
  /** `S`…`SSSSSSSSS`: that many fraction digits (kept to microseconds). */
  | { kind: 'fraction'; digits: number }
  /** `X`, `XX`, `XXX`, `Z`, `ZZ`: `Z` or an offset ±HH, ±HHMM, ±HH:MM. */
  | { kind: 'offset' };

/** A column's `format` for a date or timestamp. */
export type TemporalFormat =
  | { kind: 'iso' }
  | { kind: 'epoch'; unit: 'seconds' | 'millis' }
  | { kind: 'pattern'; pattern: string; tokens: TemporalToken[]; hasTime: boolean; hasOffset: boolean };

/** A date/time `format` that cannot be read. */
export class TemporalFormatError extends Error {
  constructor(
    readonly format: string,
    detail: string,
  ) {
    super(`format ${JSON.stringify(format)}: ${detail}`);
    this.name = 'TemporalFormatError';
  }
}

const NUMBER_TOKENS: Record<string, 'month' | 'day' | 'hour' | 'hour12' | 'minute' | 'second'> = {
  M: 'month',
  d: 'day',
  H: 'hour',
  h: 'hour12',
  m: 'minute',
  s: 'second',
};

const MISTAKES: Record<string, string> = {
  Y: 'Y is a week-based year, which differs from the calendar year around New Year; use yyyy',
  D: 'D is the day of the year; use dd for the day of the month',
  u: 'use yyyy for the year',
  E: 'day names are not read; put the literal text in quotes or leave it out of the data',
};

/**
 * Reads a date/time `format`: `iso`, `epoch_seconds`, `epoch_millis`, or a pattern in the letters
 * data engineers know from Java, Spark and luxon (`M/d/yyyy`, `yyyyMMdd`, `yyyy-MM-dd HH:mm:ss`,
 * `dd.MM.yyyy hh:mm a`). Letters outside the supported set are errors, not literals, so a typo
 * (`YYYY`, `DD`) is caught by `dif validate` instead of misreading every value.
 *
 * @example
 * parseTemporalFormat('M/d/yyyy').kind // 'pattern'
 */
export function parseTemporalFormat(format: string): TemporalFormat {
  if (format === 'iso') return { kind: 'iso' };
  if (format === 'epoch_seconds') return { kind: 'epoch', unit: 'seconds' };
  if (format === 'epoch_millis') return { kind: 'epoch', unit: 'millis' };
  const tokens: TemporalToken[] = [];
  let i = 0;
  while (i < format.length) {
    const c = format[i]!;
    let run = 1;
    while (format[i + run] === c) run++;
    if (c === "'") {
      const end = format.indexOf("'", i + 1);
      if (end === -1) throw new TemporalFormatError(format, `the quote at character ${i + 1} is not closed`);
      literal(tokens, end === i + 1 ? "'" : format.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      literal(tokens, format.slice(i, i + run));
      i += run;
      continue;
    }
    tokens.push(letterToken(format, c, run));
    i += run;
  }
  return checked(format, tokens);
}

function letterToken(format: string, c: string, run: number): TemporalToken {
  const bad = (detail: string) => new TemporalFormatError(format, detail);
  if (c === 'y') {
    if (run !== 2 && run !== 4) throw bad('write the year as yyyy (or yy for 2000–2099)');
    return { kind: 'year', digits: run };
  }
  if (c === 'M' && run >= 3) {
    if (run > 4) throw bad('write a month as M, MM, MMM (Jan) or MMMM (January)');
    return { kind: 'monthName', long: run === 4 };
  }
  const number = NUMBER_TOKENS[c];
  if (number) {
    if (run > 2) throw bad(`${c.repeat(run)} is too long; write ${c} (1 or 2 digits) or ${c}${c} (2 digits)`);
    return { kind: number, exact: run === 2 };
  }
  if (c === 'S') {
    if (run > 9) throw bad('at most 9 fraction digits (S…SSSSSSSSS)');
    return { kind: 'fraction', digits: run };
  }
  if (c === 'a' && run === 1) return { kind: 'ampm' };
  if ((c === 'X' && run <= 3) || (c === 'Z' && run <= 2)) return { kind: 'offset' };
  throw bad(
    `${MISTAKES[c] ?? `"${c.repeat(run)}" is not a pattern letter`}; letters: yyyy yy M MM MMM MMMM d dd H HH h hh a m mm s ss S… X XX XXX, text in 'quotes'`,
  );
}

function literal(tokens: TemporalToken[], text: string): void {
  const last = tokens[tokens.length - 1];
  if (last?.kind === 'literal') last.text += text;
  else tokens.push({ kind: 'literal', text });
}

function checked(format: string, tokens: TemporalToken[]): TemporalFormat {
  const has = (kind: TemporalToken['kind']) => tokens.some((token) => token.kind === kind);
  const missing = [
    has('year') ? undefined : 'the year (yyyy)',
    has('month') || has('monthName') ? undefined : 'the month (M, MM or MMM)',
    has('day') ? undefined : 'the day (d or dd)',
  ].filter(Boolean);
  if (missing.length > 0) throw new TemporalFormatError(format, `the pattern needs ${missing.join(', ')}`);
  if (has('hour12') !== has('ampm'))
    throw new TemporalFormatError(format, 'h/hh (1–12) needs a (AM/PM), and a needs h or hh; use HH for 0–23');
  if (has('hour') && has('hour12')) throw new TemporalFormatError(format, 'use H or h, not both');
  for (let i = 1; i < tokens.length; i++) {
    const [before, token] = [tokens[i - 1]!, tokens[i]!];
    if (isVariableWidth(before) && isNumeric(token))
      throw new TemporalFormatError(
        format,
        'a 1-or-2-digit field (M, d, H, h, m, s) followed directly by digits cannot be read; use MM, dd, HH… there',
      );
  }
  const hasTime = has('hour') || has('hour12');
  return { kind: 'pattern', pattern: format, tokens, hasTime, hasOffset: has('offset') };
}

function isVariableWidth(token: TemporalToken): boolean {
  return 'exact' in token && !token.exact;
}

function isNumeric(token: TemporalToken): boolean {
  return token.kind === 'year' || token.kind === 'fraction' || 'exact' in token;
}
