import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseColumnType } from '../../shared/config/columnType';
import { compileCaster, dateText, decimalText, isJsonText, Rejection, timestampText } from '../../services/transformer';

/**
 * The casters take shortcuts for the common shapes of values (plain decimals and integers, UTC
 * timestamps, JSON validated without parsing). Each is checked here against an independent
 * reference over generated values, so a shortcut can never answer differently from the rule.
 */

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Characters that make JSON, and break it, in the interesting places. */
const jsonish = fc.string({
  unit: fc.constantFrom(
    '{',
    '}',
    '[',
    ']',
    '"',
    ':',
    ',',
    '\\',
    'u',
    '0',
    '1',
    '9',
    '-',
    '+',
    '.',
    'e',
    'E',
    'a',
    'f',
    't',
    'r',
    'n',
    'l',
    's',
    ' ',
    '\n',
    '\t',
    '\u0001',
    '\u00a0',
    'é',
  ),
  maxLength: 30,
});

/** A valid JSON text with one character inserted, removed or replaced. */
const mutatedJson = fc
  .tuple(
    fc.json(),
    fc.nat(),
    fc.constantFrom('insert', 'delete', 'replace'),
    fc.constantFrom('"', '\\', ',', ']', '}', '{', ':', '0', '-', '.', 'e', ' ', '\u0000', 'x'),
  )
  .map(([text, at, how, c]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    if (how === 'insert') return text.slice(0, i) + c + text.slice(i);
    if (how === 'delete') return text.slice(0, i) + text.slice(i + 1);
    return text.slice(0, i) + c + text.slice(i + 1);
  });

describe('cast shortcuts agree with the rules (property)', () => {
  it('isJsonText accepts exactly what JSON.parse accepts', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json(),
          mutatedJson,
          jsonish,
          fc.json().map((t) => ` \n${t}\t `),
        ),
        (text) => {
          expect(isJsonText(text)).toBe(parses(text));
        },
      ),
      { numRuns: 3000 },
    );
    for (const text of [
      '',
      ' ',
      '{}',
      '[]',
      '[1,]',
      '{"a":1,}',
      '01',
      '-',
      '1.',
      '.5',
      '1e',
      '1e+',
      '"\\u12"',
      '"\\x"',
      '"a\u0001"',
      '[1]]',
      '{"a" 1}',
      'nul',
      'true false',
      '\ufeff{}',
    ]) {
      expect(isJsonText(text), JSON.stringify(text)).toBe(parses(text));
    }
  });

  it('super keeps a JSON object or array text as sent, and stores any other text as a JSON string', () => {
    const cast = compileCaster(parseColumnType('super')!, { varcharOverflow: 'reject', timezone: 'UTC' });
    const quote = (json: string) => (/[",\n\r]/.test(json) ? `"${json.replaceAll('"', '""')}"` : json);
    fc.assert(
      fc.property(fc.oneof(fc.json(), mutatedJson, jsonish), (text) => {
        const first = text.trimStart().charCodeAt(0);
        const kept = (first === 123 || first === 91) && parses(text);
        expect(cast(text)).toBe(quote(kept ? text : JSON.stringify(text)));
      }),
      { numRuns: 1000 },
    );
  });

  it('super writes a decoded object or array exactly as JSON.stringify, quoted for CSV', () => {
    const cast = compileCaster(parseColumnType('super')!, { varcharOverflow: 'reject', timezone: 'UTC' });
    const quote = (json: string) => (/[",\n\r]/.test(json) ? `"${json.replaceAll('"', '""')}"` : json);
    const container = fc.oneof(
      fc.array(fc.jsonValue()),
      fc.dictionary(fc.string(), fc.jsonValue()),
      fc.array(fc.jsonValue({ stringUnit: 'binary' })),
      fc.object(),
    );
    fc.assert(
      fc.property(container, (value) => {
        expect(cast(value)).toBe(quote(JSON.stringify(value)));
      }),
      { numRuns: 1000 },
    );
    expect(cast({ a: undefined, b: [undefined, () => 1], c: new Date(0), n: Number.NaN })).toBe(
      quote(JSON.stringify({ a: undefined, b: [undefined, () => 1], c: new Date(0), n: Number.NaN })),
    );
  });

  it('decimal text matches exact BigInt arithmetic, rounding half away from zero', () => {
    const shapes = fc.tuple(
      fc.constantFrom('', '-', '+'),
      fc.stringMatching(/^[0-9]{0,12}$/),
      fc.option(fc.stringMatching(/^[0-9]{0,9}$/), { nil: undefined }),
    );
    fc.assert(
      fc.property(
        shapes,
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 8 }),
        ([sign, whole, fraction], precision, scaleWanted) => {
          const scale = Math.min(scaleWanted, precision);
          const text = fraction === undefined ? `${sign}${whole}` : `${sign}${whole}.${fraction}`;
          const out = decimalText(text, precision, scale);
          if (whole === '' && (fraction ?? '') === '') {
            expect(out).toBeInstanceOf(Rejection);
            return;
          }
          const digits = `${whole}${fraction ?? ''}` || '0';
          const exponent = (fraction ?? '').length;
          // value = digits / 10^exponent; scaled = round(value * 10^scale), half away from zero.
          let scaled = BigInt(digits) * 10n ** BigInt(Math.max(0, scale - exponent));
          if (exponent > scale) {
            const divisor = 10n ** BigInt(exponent - scale);
            const quotient = BigInt(digits) / divisor;
            scaled = BigInt(digits) % divisor >= divisor / 2n ? quotient + 1n : quotient;
          }
          if (scaled >= 10n ** BigInt(precision)) {
            expect(out).toBeInstanceOf(Rejection);
            return;
          }
          const body = scaled.toString().padStart(scale + 1, '0');
          const plain = scale > 0 ? `${body.slice(0, body.length - scale)}.${body.slice(body.length - scale)}` : body;
          expect(out).toBe(sign === '-' && scaled !== 0n ? `-${plain}` : plain);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('timestamps match Date arithmetic for every shape of offset', () => {
    const offsets = fc.constantFrom('', 'Z', '+0000', '-0000', '+00:00', '+00', '-05:30', '+0130', '+14', ' UTC');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        fc.constantFrom('T', ' '),
        fc.option(fc.stringMatching(/^[0-9]{1,7}$/), { nil: undefined }),
        offsets,
        fc.boolean(),
        (year, month, day, hour, minute, second, separator, fraction, offset, withZone) => {
          const p = (n: number, w = 2) => String(n).padStart(w, '0');
          const text = `${p(year, 4)}-${p(month)}-${p(day)}${separator}${p(hour)}:${p(minute)}:${p(second)}${fraction === undefined ? '' : `.${fraction}`}${offset}`;
          const out = timestampText(text, 'UTC', withZone);
          const local = new Date(0);
          local.setUTCFullYear(year, month - 1, day);
          local.setUTCHours(hour, minute, second, 0);
          if (local.getUTCDate() !== day) {
            expect(out).toBeInstanceOf(Rejection);
            return;
          }
          const match = /^([+-])(\d\d):?(\d\d)?$/.exec(offset);
          const minutes = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0)) : 0;
          const utc = new Date(local.getTime() - minutes * 60_000);
          const y = utc.getUTCFullYear();
          if (y < 1 || y > 9999) {
            expect(out).toBeInstanceOf(Rejection);
            return;
          }
          const micros = (fraction ?? '').slice(0, 6).padEnd(6, '0');
          const expected = `${p(y, 4)}-${p(utc.getUTCMonth() + 1)}-${p(utc.getUTCDate())} ${p(utc.getUTCHours())}:${p(utc.getUTCMinutes())}:${p(utc.getUTCSeconds())}.${micros}`;
          expect(out).toBe(withZone ? `${expected}+00` : expected);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('dates: a plain YYYY-MM-DD is kept only when it is a real day', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        (year, month, day) => {
          const text = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          const probe = new Date(0);
          probe.setUTCFullYear(year, month - 1, day);
          const real =
            month >= 1 && month <= 12 && day >= 1 && probe.getUTCDate() === day && probe.getUTCMonth() === month - 1;
          const out = dateText(text);
          if (real) expect(out).toBe(text);
          else expect(out).toBeInstanceOf(Rejection);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('integers: the plain-text shortcut gives the same answer as range-checked arithmetic', () => {
    const cast = compileCaster(parseColumnType('int')!, { varcharOverflow: 'reject', timezone: 'UTC' });
    fc.assert(
      fc.property(fc.constantFrom('', '-', '+'), fc.stringMatching(/^[0-9]{1,12}$/), (sign, digits) => {
        const value = BigInt(`${sign === '-' ? '-' : ''}${digits}`);
        const out = cast(`${sign}${digits}`);
        if (value < -2147483648n || value > 2147483647n) expect(out).toBeInstanceOf(Rejection);
        else expect(out).toBe(value.toString());
      }),
      { numRuns: 1000 },
    );
  });
});
