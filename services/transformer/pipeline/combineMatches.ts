import { Rejection } from './Rejection';

/** What a column does when its path selects several values (`matches` in the column). */
export type MatchRule = 'one' | 'first' | 'last' | 'sum';

/** Turns the values a path selected into the column's one value, or says why it cannot. */
export type MatchCombiner = (values: unknown[]) => unknown;

/**
 * The rule for a path with `[*]` or a filter (`actions[?action_type=='purchase'].value`) in a
 * column of one value. No match is NULL (the record has no such action). Several: `one` rejects
 * the record naming them — a purchase counted twice, or half of them, would look right and be
 * wrong — `first`/`last` keep that one, `sum` adds them exactly in decimal (no float).
 *
 * @example
 * combineMatches('sum', "actions[*].value")(['1.5', 2]) // '3.5'
 */
export function combineMatches(rule: MatchRule, path: string): MatchCombiner {
  // No match is null, not "missing": a day without a purchase is no schema drift (missing_field: fail).
  switch (rule) {
    case 'first':
      return (values) => (values.length === 0 ? null : values[0]);
    case 'last':
      return (values) => (values.length === 0 ? null : values[values.length - 1]);
    case 'sum':
      return (values) => (values.length <= 1 ? (values[0] ?? null) : (sumDecimals(values, path) ?? null));
    case 'one':
      return (values) => {
        if (values.length <= 1) return values[0] ?? null;
        const shown = values
          .slice(0, 5)
          .map((value) => JSON.stringify(value) ?? String(value))
          .join(', ');
        return new Rejection(
          `${path} selects ${values.length} values (${shown}${values.length > 5 ? ', …' : ''}); set matches: sum, first or last on the column to say which, or narrow the filter`,
        );
      };
  }
}

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?$/;

/** The exact sum of numbers and decimal texts; nulls are skipped, and only nulls is NULL. */
function sumDecimals(values: unknown[], path: string): string | Rejection | undefined {
  const parsed: { negative: boolean; digits: string; scale: number }[] = [];
  let scale = 0;
  for (const value of values) {
    if (value === null || value === '') continue;
    const text = typeof value === 'number' && Number.isFinite(value) ? plainNumber(value) : value;
    const match = typeof text === 'string' ? DECIMAL.exec(text.trim()) : null;
    if (!match || (match[2] === '' && (match[3] ?? '') === ''))
      return new Rejection(
        `${path}: cannot add ${JSON.stringify(value) ?? String(value)} (matches: sum adds numbers only)`,
      );
    const fraction = match[3] ?? '';
    parsed.push({ negative: match[1] === '-', digits: `${match[2] || '0'}${fraction}`, scale: fraction.length });
    scale = Math.max(scale, fraction.length);
  }
  if (parsed.length === 0) return undefined;
  let total = 0n;
  for (const { negative, digits, scale: own } of parsed) {
    const scaled = BigInt(digits) * 10n ** BigInt(scale - own);
    total += negative ? -scaled : scaled;
  }
  const negative = total < 0n;
  const text = (negative ? -total : total).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? text : `${text.slice(0, -scale)}.${text.slice(-scale)}`;
  return negative ? `-${body}` : body;
}

/** A JSON number as plain decimal text (no exponent), exact for what JSON numbers hold. */
function plainNumber(value: number): string {
  const text = String(value);
  if (!/[eE]/.test(text)) return text;
  return value.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}
