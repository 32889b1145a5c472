import { describe, expect, it } from 'vitest';
import { isCalendarDate, isImpossibleDate } from '../../../shared/config/isCalendarDate';

describe('isCalendarDate', () => {
  it('accepts real days, leap days included', () => {
    for (const day of ['2026-01-31', '2024-02-29', '2000-02-29', '1999-12-31']) expect(isCalendarDate(day)).toBe(true);
  });

  it('refuses days a calendar does not have, so a typo cannot plan an empty range', () => {
    for (const day of ['2026-02-30', '2023-02-29', '1900-02-29', '2026-13-01', '2026-04-31', '2026-00-10'])
      expect(isCalendarDate(day)).toBe(false);
  });

  it('refuses anything not written YYYY-MM-DD', () => {
    for (const text of ['2026-1-5', '20260105', '2026-01-05T00:00:00Z', ' 2026-01-05', ''])
      expect(isCalendarDate(text)).toBe(false);
  });

  it('calls impossible only a date-shaped text naming no day, so templates and other text pass to their own checks', () => {
    expect(isImpossibleDate('2026-02-30')).toBe(true);
    for (const text of ['2026-02-28', '{{ today - P28D }}', 'yesterday', '2026-1-5'])
      expect(isImpossibleDate(text)).toBe(false);
  });
});
