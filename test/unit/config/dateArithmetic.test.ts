/** Issue 16 §10: relative dates in templates, `{{ today - P28D }}`, data only. */
import { describe, expect, it } from 'vitest';
import { shiftDate } from '../../../shared/config/dateShift';
import { renderTemplate, TemplateError } from '../../../shared/config/template';
import { itemScope } from '../../../services/extractor/scope';
import type { WorkItem } from '../../../shared/messages/workItem';

describe('date arithmetic in templates', () => {
  it('moves dates by days, weeks, months and years, clamping to the end of a month', () => {
    const scope = { today: '2026-03-31', slice: { end: '2026-02-28' } };
    expect(renderTemplate('{{ today - P28D }}', scope)).toBe('2026-03-03');
    expect(renderTemplate('{{ today - P1M }}', scope)).toBe('2026-02-28');
    expect(renderTemplate('{{ today + P1Y2W }}', scope)).toBe('2027-04-14');
    // An API whose end date is exclusive: the day after the slice, then formatted.
    expect(renderTemplate('{{ slice.end + P1D | date:yyyyMMdd }}', scope)).toBe('20260301');
    // Rest.li dates want numbers without leading zeros; other characters and 'quoted' text are literal.
    expect(renderTemplate("{{ slice.end + P1D | date:(year:yyyy,month:M,'day':d) }}", scope)).toBe(
      '(year:2026,month:3,day:1)',
    );
    expect(renderTemplate('{{ today | date:dd.MM.yyyy }}', scope)).toBe('31.03.2026');
    // Snapchat's day boundaries: the account's midnight with that day's offset (DST included).
    const zoned = { slice: { start: '2026-03-07', end: '2026-03-08' }, client: { timezone: 'America/Los_Angeles' } };
    expect(renderTemplate('{{ slice.start | midnight:client.timezone }}', zoned)).toBe('2026-03-07T00:00:00.000-08:00');
    expect(renderTemplate('{{ slice.end + P1D | midnight:America/Los_Angeles }}', zoned)).toBe(
      '2026-03-09T00:00:00.000-07:00',
    );
    expect(renderTemplate('{{ slice.start | midnight }}', zoned)).toBe('2026-03-07T00:00:00.000Z');
    expect(() => renderTemplate('{{ slice.start | midnight:Mars/Olympus }}', zoned)).toThrow(/midnight: /);
  });

  it('keeps a date-time a date-time (an incremental cursor re-read over an attribution window)', () => {
    expect(renderTemplate('{{ cursor - P7D }}', { cursor: '2026-01-05T10:00:00Z' })).toBe('2025-12-29T10:00:00Z');
    expect(shiftDate('2026-01-05T10:00:00.250+02:00', '+ P1D')).toBe('2026-01-06T10:00:00.250+02:00');
    expect(shiftDate('2026-01-05T10:00:00', '+ P1D')).toBe('2026-01-06T10:00:00');
  });

  it('refuses arithmetic on a value that is not a date, saying which variable held what', () => {
    expect(() => renderTemplate('{{ client.name - P1D }}', { client: { name: 'acme' } })).toThrow(
      new TemplateError(
        '{{ client.name - P1D }}',
        '"client.name" is "acme", not a date (YYYY-MM-DD or an ISO date-time), so "- P1D" cannot apply',
      ),
    );
    expect(() => renderTemplate('{{ today - 2026-01-01 }}', { today: '2026-02-01' })).toThrow(
      /is not a sign and an ISO duration/,
    );
    expect(shiftDate('2026-02-30', '+ P1D')).toBeUndefined();
  });

  it('offers today and yesterday (UTC) to every work item', () => {
    const item = { client: 'acme', runId: 'r1', partitionValues: {} } as unknown as WorkItem;
    const scope = itemScope(item, {}, {}, undefined, new Date('2026-03-01T00:30:00Z'));
    expect(renderTemplate('{{ yesterday }}..{{ today - P6D }}', scope)).toBe('2026-02-28..2026-02-23');
  });
});
