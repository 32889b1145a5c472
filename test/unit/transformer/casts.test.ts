import { describe, expect, it } from 'vitest';
import { parseColumnType } from '../../../shared/config/columnType';
import { compileCaster, Rejection, textCell, truncateUtf8, type CastOptions } from '../../../services/transformer';

const options: CastOptions = { varcharOverflow: 'reject', timezone: 'UTC' };
const cast = (type: string, value: unknown, opts: Partial<CastOptions> = {}) => {
  const out = compileCaster(parseColumnType(type)!, { ...options, ...opts })(value);
  return out instanceof Rejection ? `REJECT: ${out.reason}` : out;
};

describe('casts', () => {
  it('integers: ranges per width, exact bigint text, integral fractions, no lost precision', () => {
    expect(cast('smallint', 32767)).toBe('32767');
    expect(cast('smallint', '32768')).toBe('REJECT: 32768 is out of range for smallint');
    expect(cast('int', ' -0042 ')).toBe('-42');
    expect(cast('int', '12.00')).toBe('12');
    expect(cast('int', '12.5')).toMatch(/^REJECT: "12.5" is not a whole number/);
    expect(cast('int', 1.5)).toBe('REJECT: 1.5 is not a whole number (int)');
    expect(cast('bigint', '9223372036854775807')).toBe('9223372036854775807');
    expect(cast('bigint', '9223372036854775808')).toBe('REJECT: 9223372036854775808 is out of range for bigint');
    expect(cast('bigint', 2 ** 60)).toMatch(/^REJECT: .* beyond 2\^53 as a JSON number/);
    expect(cast('int', '')).toBe('\\N');
    expect(cast('int', null)).toBe('\\N');
    expect(cast('int', { a: 1 })).toBe('REJECT: found an object where a whole number (int) was expected');
  });

  it('decimals: exact digits, rounding half away from zero, exponents, range', () => {
    expect(cast('decimal(18,6)', '12.3456785')).toBe('12.345679');
    expect(cast('decimal(18,6)', '-12.3456785')).toBe('-12.345679');
    expect(cast('decimal(38,10)', '12345678901234567890.0123456789')).toBe('12345678901234567890.0123456789');
    expect(cast('decimal(10,2)', '9.995')).toBe('10.00');
    expect(cast('decimal(4,2)', '99.995')).toBe(
      'REJECT: 99.995 does not fit decimal(4,2) (at most 2 digits before the point)',
    );
    expect(cast('decimal(10,2)', 1e-7)).toBe('0.00');
    expect(cast('decimal(10,2)', '-0.001')).toBe('0.00');
    expect(cast('decimal(10,2)', '1.5E3')).toBe('1500.00');
    expect(cast('decimal(10,2)', '.5')).toBe('0.50');
    expect(cast('decimal(10,0)', '0.5')).toBe('1');
    expect(cast('decimal(10,2)', 0.1 + 0.2)).toBe('0.30');
    expect(cast('decimal(10,2)', '1,000')).toBe('REJECT: "1,000" is not a decimal number');
    expect(cast('decimal(10,2)', Infinity)).toBe('REJECT: Infinity is not a finite number');
  });

  it('floats and booleans', () => {
    expect(cast('double', '1.5e3')).toBe('1500');
    expect(cast('real', 'abc')).toBe('REJECT: "abc" is not a number');
    expect(cast('boolean', 'Yes')).toBe('true');
    expect(cast('boolean', 0)).toBe('false');
    expect(cast('boolean', 'F')).toBe('false');
    expect(cast('boolean', 'maybe')).toMatch(/^REJECT: "maybe" is not a boolean/);
  });

  it('dates', () => {
    expect(cast('date', '2024-02-29')).toBe('2024-02-29');
    expect(cast('date', '20240131')).toBe('2024-01-31');
    expect(cast('date', '2024-01-31T23:00:00-05:00')).toBe('2024-01-31');
    expect(cast('date', '2023-02-29')).toBe('REJECT: "2023-02-29" is not a date (expected YYYY-MM-DD)');
    expect(cast('date', '31/01/2024')).toMatch(/^REJECT/);
  });

  it('dates written as a record of their parts (LinkedIn adAnalytics dateRange.start)', () => {
    expect(cast('date', { year: 2026, month: 2, day: 1 })).toBe('2026-02-01');
    expect(cast('date', { year: '2024', month: '2', day: '29' })).toBe('2024-02-29');
    expect(cast('date', { year: 2023, month: 2, day: 29 })).toBe(
      'REJECT: {"year":2023,"month":2,"day":29} is not a date (expected { year, month, day } of a real day)',
    );
    expect(cast('date', { year: 2026, month: 1.5, day: 1 })).toMatch(/^REJECT/);
    expect(cast('date', { start: 1 })).toBe('REJECT: found an object where a date was expected');
  });

  it('timestamps: offsets normalised to UTC, naive values read in the configured zone, epochs', () => {
    expect(cast('timestamp', '2026-01-31T10:20:30Z')).toBe('2026-01-31 10:20:30.000000');
    expect(cast('timestamptz', '2026-01-31 10:20:30.1234567+05:30')).toBe('2026-01-31 04:50:30.123456+00');
    expect(cast('timestamptz', '2026-01-01T00:30:00-0100')).toBe('2026-01-01 01:30:00.000000+00');
    expect(cast('timestamptz', '2026-01-01T00:30:00+01')).toBe('2025-12-31 23:30:00.000000+00');
    expect(cast('timestamptz', '2026-01-31 10:20')).toBe('2026-01-31 10:20:00.000000+00');
    expect(cast('timestamptz', '2026-01-31')).toBe('2026-01-31 00:00:00.000000+00');
    expect(cast('timestamptz', '2026-07-01 12:00:00', { timezone: 'America/New_York' })).toBe(
      '2026-07-01 16:00:00.000000+00',
    );
    expect(cast('timestamptz', '2026-01-01 12:00:00', { timezone: 'America/New_York' })).toBe(
      '2026-01-01 17:00:00.000000+00',
    );
    expect(cast('timestamptz', 1767225600)).toBe('2026-01-01 00:00:00.000000+00');
    expect(cast('timestamptz', 1767225600123)).toBe('2026-01-01 00:00:00.123000+00');
    expect(cast('timestamptz', '1767225600.5')).toMatch(/^REJECT/);
    expect(cast('timestamptz', '1767225600')).toBe('2026-01-01 00:00:00.000000+00');
    expect(cast('timestamp', '2026-01-31T25:00:00Z')).toMatch(/^REJECT: "2026-01-31T25:00:00Z" is not a timestamp/);
  });

  it('varchar: byte length, reject or truncate on a character boundary, JSON for objects', () => {
    expect(cast('varchar(5)', 'héllo')).toBe(
      'REJECT: text of 6 bytes is longer than varchar(5) (transform.varchar_overflow: truncate would cut it)',
    );
    expect(cast('varchar(5)', 'héllo', { varcharOverflow: 'truncate' })).toBe('héll');
    expect(truncateUtf8('a😀b', 3)).toBe('a');
    expect(truncateUtf8('a😀b', 5)).toBe('a😀');
    expect(cast('varchar', 12.5)).toBe('12.5');
    expect(cast('varchar', [1, 'a,b'])).toBe('"[1,""a,b""]"');
    expect(cast('varchar', 'nul\u0000')).toMatch(/^REJECT: text contains a NUL character/);
  });

  it('super: JSON text, keeping strings that already are JSON objects', () => {
    expect(cast('super', { a: [1, null] })).toBe('"{""a"":[1,null]}"');
    expect(cast('super', '{"a":1}')).toBe('"{""a"":1}"');
    expect(cast('super', 'plain')).toBe('"""plain"""');
    expect(cast('super', 5)).toBe('5');
    expect(cast('super', null)).toBe('\\N');
  });

  it('text cells: quoting only where needed, empty vs NULL vs literal \\N', () => {
    expect(textCell('plain text')).toBe('plain text');
    expect(textCell('')).toBe('""');
    expect(textCell('\\N')).toBe('"\\N"');
    expect(textCell('a\nb')).toBe('"a\nb"');
    expect(textCell('say "hi"')).toBe('"say ""hi"""');
    expect(textCell('a,b')).toBe('"a,b"');
    expect(textCell('x\ry')).toBe('"x\ry"');
  });
});

describe('super cells', () => {
  it('quote JSON text kept as sent when it holds newlines, and stringified JSON by its quotes and commas', () => {
    expect(cast('super', '[1,\n2]')).toBe('"[1,\n2]"');
    expect(cast('super', '[1\n]')).toBe('"[1\n]"');
    expect(cast('super', [1, 2])).toBe('"[1,2]"');
    expect(cast('super', [1])).toBe('[1]');
    expect(cast('super', { 'a\nb': '\u0000' })).toBe('"{""a\\nb"":""\\u0000""}"');
  });
});
