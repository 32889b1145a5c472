import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseColumnType } from '../../shared/config/columnType';
import { parseTemporalFormat } from '../../shared/config/temporalFormat';
import { compileCaster, Rejection } from '../../services/transformer';

/**
 * The hand-written readers behind column formats (issue 16 §3), checked against independent
 * references: luxon writes a date in a pattern and converts wall clocks in a zone (the reader
 * parses and caches offsets per local hour instead), and plain JavaScript groups digits.
 */

const cast = (type: string, options: Parameters<typeof compileCaster>[1]) =>
  compileCaster(parseColumnType(type)!, options);
const text = (cell: string | Rejection) => (cell instanceof Rejection ? `REJECT ${cell.reason}` : cell);

/** Wall clocks within a day and a half of the offset changes of 2026 in the zones below. */
const nearChange = fc
  .tuple(
    fc.constantFrom('2026-03-08', '2026-11-01', '2026-03-29', '2026-10-25', '2026-04-05', '2026-10-04'),
    fc.integer({ min: -36 * 60, max: 36 * 60 }),
  )
  .map(([day, minutes]) => new Date(Date.parse(`${day}T02:00:00Z`) + minutes * 60_000));

const instant = fc.date({
  min: new Date('1971-01-01T00:00:00Z'),
  max: new Date('2099-12-31T23:59:59Z'),
  noInvalidDate: true,
});

describe('column formats against references', () => {
  it.each(['M/d/yyyy', 'yyyyMMdd', 'dd.MM.yyyy', 'MMM d, yyyy', 'MMMM d yyyy', 'yy-MM-dd'])(
    'reads any date luxon writes as %s',
    (pattern) => {
      const date = cast('date', {
        varcharOverflow: 'reject',
        timezone: 'UTC',
        format: { temporal: parseTemporalFormat(pattern) },
      });
      fc.assert(
        fc.property(instant, (at) => {
          const day = DateTime.fromJSDate(at, { zone: 'UTC' });
          if (pattern.startsWith('yy-') && day.year < 2000) return;
          expect(text(date(day.toFormat(pattern, { locale: 'en-US' })))).toBe(day.toFormat('yyyy-MM-dd'));
        }),
        { numRuns: 300 },
      );
    },
  );

  it.each(['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata'])(
    'converts local wall-clock times in %s as luxon does, across offset changes',
    (zone) => {
      const timestamp = cast('timestamp', {
        varcharOverflow: 'reject',
        timezone: zone,
        format: { temporal: parseTemporalFormat('yyyy-MM-dd HH:mm:ss') },
      });
      // Minutes around March, October and April changes make the per-hour cache meet every edge.
      fc.assert(
        fc.property(fc.oneof(instant, nearChange), fc.integer({ min: 0, max: 59 }), (at, minute) => {
          const local = DateTime.fromJSDate(at, { zone: 'UTC' }).set({ minute });
          const wall = local.toFormat('yyyy-MM-dd HH:mm:ss');
          const expected = DateTime.fromFormat(wall, 'yyyy-MM-dd HH:mm:ss', { zone });
          const cell = text(timestamp(wall));
          // A wall clock inside a spring-forward gap never happened there: rejected, not moved.
          if (expected.toFormat('yyyy-MM-dd HH:mm:ss') !== wall)
            expect(cell).toBe(`REJECT "${wall}" does not exist in time zone ${zone}`);
          else expect(cell).toBe(`${expected.toUTC().toFormat('yyyy-MM-dd HH:mm:ss')}.000000`);
        }),
        { numRuns: 2000 },
      );
    },
  );

  it('reads grouped numbers back to the plain number, and never a misgrouped one', () => {
    const decimal = cast('decimal(38,4)', {
      varcharOverflow: 'reject',
      timezone: 'UTC',
      format: { number: { thousands: ',', decimal: '.', percent: false } },
    });
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
        fc.integer({ min: 0, max: 9999 }),
        (whole, frac) => {
          const grouped = whole.toLocaleString('en-US');
          const fraction = String(frac).padStart(4, '0');
          expect(text(decimal(`${grouped}.${fraction}`))).toBe(`${whole}.${fraction}`);
          // Dropping one digit of a group of three must be refused, not read as another number.
          if (grouped.includes(',')) {
            const broken = grouped.replace(/,(\d)\d\d/, ',$1');
            expect(text(decimal(broken))).toMatch(/^REJECT /);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
