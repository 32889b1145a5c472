import { Rejection } from './Rejection';

/** How a platform writes numbers as text: separators and percentages. */
export interface NumberFormat {
  /** Thousands separator (`,` in 1,234.5); groups must be of three digits. */
  thousands: string | undefined;
  /** Decimal mark; `.` unless set. */
  decimal: string;
  /** `12.5%` (or `12.5`) is 0.125. */
  percent: boolean;
}

/**
 * Plain decimal text (`-1234.56`, or `12.5e-2` for a percentage) from a number as a platform
 * writes it (`1,234.56`, `1.234,56`, `12.5%`), for the exact decimal and integer casts. Digit
 * groups are checked, so `1,23` under `thousands: ","` is rejected rather than read as 123: a
 * number from another locale must fail, not load as a different number.
 *
 * @example
 * numberText('1,234.5', { thousands: ',', decimal: '.', percent: false }) // '1234.5'
 * numberText('12.5%', { thousands: undefined, decimal: '.', percent: true }) // '12.5e-2'
 */
export function numberText(raw: string, format: NumberFormat): string | Rejection {
  let text = raw.trim();
  if (format.percent && text.endsWith('%')) text = text.slice(0, -1).trimEnd();
  let sign = '';
  if (text.startsWith('-') || text.startsWith('+')) {
    sign = text[0] === '-' ? '-' : '';
    text = text.slice(1);
  }
  const point = text.indexOf(format.decimal);
  const whole = point === -1 ? text : text.slice(0, point);
  const fraction = point === -1 ? '' : text.slice(point + 1);
  const digits = format.thousands === undefined ? whole : ungrouped(whole, format.thousands);
  if (digits === undefined || !/^\d*$/.test(digits) || !/^\d*$/.test(fraction) || digits + fraction === '')
    return new Rejection(`${quoted(raw)} is not a number written ${describe(format)}`);
  const plain = `${sign}${digits || '0'}${fraction ? `.${fraction}` : ''}`;
  return format.percent ? `${plain}e-2` : plain;
}

/** `1,234,567` → `1234567`; undefined when the groups are not 1–3 digits then threes. */
function ungrouped(whole: string, separator: string): string | undefined {
  if (!whole.includes(separator)) return whole;
  const groups = whole.split(separator);
  const [first, ...rest] = groups as [string, ...string[]];
  if (first.length < 1 || first.length > 3 || rest.some((group) => group.length !== 3)) return undefined;
  return groups.join('');
}

function describe(format: NumberFormat): string {
  const parts = [
    format.thousands === undefined ? undefined : `with "${format.thousands}" between groups of three digits`,
    format.decimal === '.' ? undefined : `with "${format.decimal}" as the decimal mark`,
    format.percent ? 'as a percentage' : undefined,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'plainly';
}

function quoted(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
