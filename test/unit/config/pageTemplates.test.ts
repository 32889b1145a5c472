/**
 * Issue 16 §1: `{{ page.* }}` is accepted exactly where paging provides it, and paging values
 * have somewhere to go; issue 18 §3: which paging reads the body is decided by the registry.
 */
import { describe, expect, it } from 'vitest';
import { problemsOf } from './support/problemsOf';

const source = (stream: string) => `name: ga4
base_url: https://api.example.com
streams:
  report:
${stream}    records: $.rows
    columns: { id: bigint }
    load: { table: report }
`;
const check = (stream: string) => problemsOf({ 'sources/ga4.yml': source(stream) });

describe('dif validate: page templates and where paging values go', () => {
  it('accepts the variable the paginate block provides, in its request', () => {
    expect(
      check(`    request:
      method: POST
      path: /runReport
      headers: { X-Page: "{{ page.offset }}" }
      body: { type: json, value: { offset: "{{ page.offset }}" } }
    paginate: { type: offset, in: template, limit: 10 }
`),
    ).toEqual([]);
    expect(
      check(`    request: { path: "/rows", query: { pageToken: "{{ page.cursor }}" } }
    paginate: { type: cursor, cursor: $.nextPageToken, param: pageToken, in: template }
`),
    ).toEqual([]);
  });

  it('refuses a variable the block does not provide, and page.* outside a paged request, at its line', () => {
    expect(
      check(`    request: { path: /rows, query: { p: "{{ page.number }}", q: "{{ page.size }}" } }
    paginate: { type: offset, limit: 10 }
`),
    ).toEqual([
      'sources/ga4.yml:5: streams.report.request.query.p: template "{{ page.number }}": paginate type offset provides page.offset, not page.number',
      'sources/ga4.yml:5: streams.report.request.query.q: template "{{ page.size }}": unknown variable "page.size"; paging offers page.number, page.offset, page.cursor',
    ]);
    expect(
      check(`    async_job:
      create: { method: POST, path: /reports, query: { o: "{{ page.offset }}" } }
      id: $.id
      poll: { request: { path: "/reports/{{ job.id }}" }, status: $.status, running: [RUNNING], done: [DONE] }
      download:
        request: { path: "/reports/{{ job.id }}/rows", query: { page: "{{ page.number }}" } }
        paginate: { type: page_number, in: template, total_pages: $.pages }
`),
    ).toEqual([
      'sources/ga4.yml:6: streams.report.async_job.create.query.o: template "{{ page.offset }}": page.* exists only in a paged request (the stream\'s request, or async_job.download.request)',
    ]);
  });

  it('refuses page.* in source-wide headers, which every request (a report creation too) sends', () => {
    expect(
      problemsOf({
        'sources/ga4.yml': source('    request: { path: /rows }\n').replace(
          'streams:',
          'headers: { X-Page: "{{ page.number }}" }\nstreams:',
        ),
      }),
    ).toEqual([
      'sources/ga4.yml:3: headers.X-Page: template "{{ page.number }}": page.* exists only in a paged request (the stream\'s request, or async_job.download.request)',
    ]);
  });

  it('needs a JSON or form body for in: body, and a {{ page.* }} for in: template', () => {
    expect(
      check(`    request: { path: /rows }
    paginate: { type: offset, in: body, limit: 10 }
`),
    ).toEqual([
      'sources/ga4.yml:6: streams.report.paginate.in: paging values go in the body, but the request has no body; give it a JSON or form body, or write {{ page.* }} into it with in: template',
    ]);
    expect(
      check(`    request: { path: /rows }
    paginate: { type: page_number, in: template }
`),
    ).toEqual([
      'sources/ga4.yml:6: streams.report.paginate.in: paging values go only where the request says {{ page.number }}, but the request has none; add one, or set in: query, body or header',
    ]);
  });

  it('asks the paginator registry whether paging reads the body: a total in a header does not', () => {
    const csv = (paginate: string) =>
      problemsOf({
        'sources/ga4.yml': source(
          `    request: { path: /rows.csv }\n    format: { type: csv }\n    paginate: ${paginate}\n`,
        ),
      });
    expect(csv('{ type: offset, total: { header: X-Total-Count } }')).toEqual([]);
    expect(csv('{ type: cursor, cursor: { header: X-Next, pattern: "token=(\\\\w+)" }, param: token }')).toEqual([]);
    expect(csv('{ type: offset, total: $.total }')).toEqual([
      'sources/ga4.yml:7: streams.report.paginate: paginate type offset reads the response body, which needs format json (this stream is csv); read totals and cursors from headers ({ header: … }), or use link_header or page_number',
    ]);
  });
});
