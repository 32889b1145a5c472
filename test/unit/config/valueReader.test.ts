/**
 * Issue 16 §5: one value reader — `$.path`, or `{ path | header, pattern }` — wherever a value is
 * read from a response (job id, duplicate id, status, cursor, next URL, totals, usage header).
 */
import { describe, expect, it } from 'vitest';
import { describeReader, readsBody, readValue } from '../../../shared/config/readValue';
import { valueReader } from '../../../shared/config/schema/valueReader';
import { problemsOf } from './support/problemsOf';

describe('readValue', () => {
  it('reads a body path, a header, a path inside a JSON header, and a pattern on any of them', () => {
    const answer = {
      body: { code: '425', detail: 'The Request is a duplicate of : amzn1.report.7f3' },
      headers: { location: '/v2/reports/r-42', 'x-usage': '{"1002":[{"call_count":91}]}' },
    };
    expect(readValue('$.code', answer)).toBe('425');
    expect(readValue({ path: '$.detail', pattern: 'duplicate of : (\\S+)' }, answer)).toBe('amzn1.report.7f3');
    expect(readValue({ header: 'Location', pattern: '/reports/([^/]+)$' }, answer)).toBe('r-42');
    expect(readValue({ header: 'X-Usage', path: '$.1002[0].call_count' }, answer)).toBe(91);
  });

  it('finds nothing, rather than a wrong value, when a step misses', () => {
    const answer = { body: { detail: 'Too many requests' }, headers: { 'x-usage': 'not json' } };
    expect(readValue({ path: '$.detail', pattern: 'duplicate of : (\\S+)' }, answer)).toBeUndefined();
    expect(readValue({ header: 'x-usage', path: '$.call_count' }, answer)).toBeUndefined();
    expect(readValue({ header: 'x-missing' }, answer)).toBeUndefined();
    expect(readValue({ path: '$.detail.deeper', pattern: '(.*)' }, answer)).toBeUndefined();
  });

  it('says whether a reader needs the parsed body, and how it is written', () => {
    expect(readsBody('$.total')).toBe(true);
    expect(readsBody({ header: 'X-Total-Count' })).toBe(false);
    expect(readsBody({ header: 'X-Page', path: '$.next' })).toBe(false);
    expect(readsBody(undefined)).toBe(false);
    expect(describeReader({ path: '$.detail', pattern: 'of : (\\S+)' })).toBe('$.detail matching /of : (\\S+)/');
    expect(describeReader({ header: 'Location' })).toBe('header Location');
  });
});

describe('value reader config', () => {
  it('accepts a path or a location, and refuses a pattern without exactly one capturing group', () => {
    expect(valueReader.safeParse('$.id').success).toBe(true);
    expect(valueReader.safeParse({ header: 'Location', pattern: '/r/(?:v2/)?(\\w+)' }).success).toBe(true);
    const messages = (input: unknown) => valueReader.safeParse(input).error?.issues.map((issue) => issue.message);
    expect(messages({ path: '$.detail', pattern: 'duplicate of : \\S+' })).toEqual([
      'needs exactly one capturing group ( … ) around the value to keep, it has 0; write other groups as (?: … )',
    ]);
    expect(messages({ path: '$.detail', pattern: '(a)(b)' })?.[0]).toMatch(/it has 2/);
    expect(messages({ path: '$.detail', pattern: 'of : ([' })?.[0]).toMatch(/^not a regular expression \(/);
    expect(messages({ pattern: '(x)' })).toEqual([
      'give `path` (in the body), `header`, or both (a path inside a JSON header)',
    ]);
  });

  it('dif validate names the file, line and key of a bad pattern', () => {
    const problems = problemsOf({
      'sources/rep.yml': `name: rep
base_url: https://api.example.com
streams:
  report:
    async_job:
      create: { method: POST, path: /reports }
      id: $.reportId
      duplicate_id: { path: $.detail, pattern: "duplicate of : \\\\S+" }
      poll: { request: { path: "/reports/{{ job.id }}" }, status: $.status, running: [PENDING], done: [DONE] }
      download: { url: $.url }
    columns: { id: bigint }
    load: { table: report }
`,
    });
    expect(problems).toEqual([
      'sources/rep.yml:8: streams.report.async_job.duplicate_id.pattern: needs exactly one capturing group ( … ) around the value to keep, it has 0; write other groups as (?: … )',
    ]);
  });
});
