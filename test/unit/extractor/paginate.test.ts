import { describe, expect, it } from 'vitest';
import type { HttpRequest } from '../../../services/extractor/http/types';
import { applyPageStep } from '../../../services/extractor/paginate/applyPageStep';
import { nextPage } from '../../../services/extractor/paginate/nextPage';
import { XmlRecordCounter } from '../../../services/extractor/paginate/XmlRecordCounter';
import { nextLink } from '../../../shared/config/paginate/linkHeader';
import { createPaginator as paginatorOf, pagination } from '../../../shared/config/paginate/registry';
import type { PageFacts } from '../../../shared/config/paginate/types';

const page = (facts: Partial<PageFacts>): PageFacts => ({ headers: {}, url: 'https://api.example.com/x', ...facts });
const progress = (pages: number, maxPages = 10_000) => ({
  pages,
  maxPages,
  where: 'sources/t.yml streams.s',
  sent: new Set<string>(),
});
/** A paginator for a `paginate` block as written in YAML (defaults applied by the schema). */
const createPaginator = (block: Record<string, unknown>) => paginatorOf(pagination.parse(block));

describe('paginators', () => {
  it('cursor: follows the cursor, stops when it or until_missing is absent, and refuses a repeat', () => {
    const paginator = createPaginator({
      type: 'cursor',
      cursor: '$.paging.after',
      param: 'after',
      until_missing: '$.paging.next',
    });
    expect(paginator.reads).toBe('body');
    const walk = progress(1);
    const first = page({ body: { paging: { after: 'a', next: 'n' } }, records: 2 });
    expect(nextPage(paginator, first, walk)).toEqual({ query: { after: 'a' }, page: { cursor: 'a' } });
    expect(paginator.next(page({ body: { paging: { after: 'b' } }, records: 2 }))).toBeUndefined();
    expect(paginator.next(page({ body: { paging: {} }, records: 2 }))).toBeUndefined();
    expect(() => nextPage(paginator, first, walk)).toThrow(/same page cursor twice/);
  });

  it('offset: advances by the records read and stops at the total (body or header) or an empty page, not a short page', () => {
    const byBody = createPaginator({
      type: 'offset',
      offset_param: 'offset',
      limit_param: 'limit',
      limit: 10,
      total: '$.total',
    });
    expect(byBody.first()).toEqual({ query: { offset: '0', limit: '10' }, page: { offset: 0 } });
    expect(byBody.next(page({ body: { total: 25 }, records: 10 }))).toEqual({
      query: { offset: '10', limit: '10' },
      page: { offset: 10 },
    });
    expect(byBody.next(page({ body: { total: 25 }, records: 7 }))).toEqual({
      query: { offset: '17', limit: '10' },
      page: { offset: 17 },
    });
    expect(byBody.next(page({ body: { total: 25 }, records: 8 }))).toBeUndefined();
    const byHeader = createPaginator({
      type: 'offset',
      offset_param: 'o',
      limit_param: 'l',
      limit: 5,
      total_header: 'X-Total-Count',
    });
    expect(byHeader.reads).toBe('nothing');
    expect(byHeader.next(page({ headers: { 'x-total-count': '6' }, records: 5 }))).toEqual({
      query: { o: '5', l: '5' },
      page: { offset: 5 },
    });
    expect(byHeader.next(page({ headers: { 'x-total-count': '6' }, records: 1 }))).toBeUndefined();
    const untilEmpty = createPaginator({ type: 'offset', offset_param: 'offset', limit_param: 'limit', limit: 10 });
    expect(untilEmpty.reads).toBe('count');
    expect(nextPage(untilEmpty, page({ records: 3 }), progress(1))).toEqual({
      query: { offset: '3', limit: '10' },
      page: { offset: 3 },
    });
    expect(nextPage(untilEmpty, page({ records: 0 }), progress(2))).toBeUndefined();
  });

  it('page_number: stops at total pages or total records', () => {
    const pages = createPaginator({ type: 'page_number', param: 'page', start: 0, total_pages: '$.pages' });
    expect(pages.first()).toEqual({ query: { page: '0' }, page: { number: 0 } });
    expect(pages.next(page({ body: { pages: 2 }, records: 1 }))).toEqual({ query: { page: '1' }, page: { number: 1 } });
    expect(pages.next(page({ body: { pages: 2 }, records: 1 }))).toBeUndefined();
    const records = createPaginator({
      type: 'page_number',
      param: 'p',
      start: 1,
      size_param: 'n',
      size: 3,
      total_records: '$.count',
    });
    expect(records.first()).toEqual({ query: { p: '1', n: '3' }, page: { number: 1 } });
    expect(records.next(page({ body: { count: 5 }, records: 3 }))).toEqual({
      query: { p: '2', n: '3' },
      page: { number: 2 },
    });
    expect(records.next(page({ body: { count: 5 }, records: 2 }))).toBeUndefined();
  });

  it('next_url and link_header resolve relative links and refuse a repeated URL', () => {
    const byUrl = createPaginator({ type: 'next_url', next: '$.next' });
    const walk = progress(1);
    expect(nextPage(byUrl, page({ body: { next: '/x?page=2' } }), walk)).toEqual({
      url: 'https://api.example.com/x?page=2',
      page: {},
    });
    expect(() => nextPage(byUrl, page({ body: { next: '/x?page=2' } }), walk)).toThrow(/twice/);
    expect(byUrl.next(page({ body: { next: null } }))).toBeUndefined();
    const byLink = createPaginator({ type: 'link_header' });
    expect(byLink.next(page({ headers: { link: '<https://api.example.com/x?page=3>; rel="next"' } }))).toEqual({
      url: 'https://api.example.com/x?page=3',
      page: {},
    });
    expect(byLink.next(page({ headers: {} }))).toBeUndefined();
  });

  it('nextLink reads rel="next" among several relations', () => {
    expect(nextLink('<https://a/x?p=1>; rel="prev", <https://a/x?p=3>; rel="next last"', 'https://a/')).toBe(
      'https://a/x?p=3',
    );
    expect(nextLink('<https://a/x?p=1>; rel="prev"', 'https://a/')).toBeUndefined();
    expect(nextLink(undefined, 'https://a/')).toBeUndefined();
  });

  it('stop rules: an empty page ends page_number paging whatever the format; an uncountable page fails instead of looping', () => {
    const pages = createPaginator({ type: 'page_number', param: 'page', start: 1 });
    expect(nextPage(pages, page({ records: 2 }), progress(1))).toEqual({ query: { page: '2' }, page: { number: 2 } });
    expect(nextPage(pages, page({ records: 0 }), progress(2))).toBeUndefined();
    expect(() => nextPage(pages, page({}), progress(3))).toThrow(
      /records on page 3 .* could not be counted .* add total_pages or total_records so paging can stop/,
    );
  });

  it('stop rules: limits.max_pages fails the walk with the setting named, for every paginator', () => {
    const byLink = createPaginator({ type: 'link_header' });
    const linked = (n: number) => page({ headers: { link: `<https://api.example.com/x?page=${n}>; rel="next"` } });
    expect(nextPage(byLink, linked(2), progress(2, 3))).toEqual({ url: 'https://api.example.com/x?page=2', page: {} });
    expect(() => nextPage(byLink, linked(3), progress(3, 3))).toThrow(
      /read 3 pages \(limits\.max_pages\) and paging still did not end/,
    );
    // The last page of a walk that ends exactly at the cap is fine.
    expect(nextPage(byLink, page({}), progress(3, 3))).toBeUndefined();
  });
});

describe('XML record counting (page-number paging over XML)', () => {
  it('counts record start tags across chunk boundaries, with prefixes and self-closing tags, not look-alikes', () => {
    const counter = new XmlRecordCounter('campaign');
    const xml =
      '<?xml version="1.0"?><campaigns total="3"><campaign id="1"/><ns:campaign>x</ns:campaign><campaignList/><campaign\n id="3"></campaign></campaigns>';
    for (let at = 0; at < xml.length; at += 7) counter.push(Buffer.from(xml.slice(at, at + 7)));
    expect(counter.count).toBe(3);
    const empty = new XmlRecordCounter('campaign');
    empty.push(Buffer.from('<campaigns page="9"/>'));
    expect(empty.count).toBe(0);
  });
});

describe('page steps patch the whole request (issue 16 §1)', () => {
  const post = (body: unknown, type = 'application/json'): HttpRequest => ({
    method: 'POST',
    url: 'https://api.example.com/v1beta/properties/9:runReport?alt=json',
    headers: { 'content-type': type },
    body: type.includes('json') ? JSON.stringify(body) : String(body),
  });

  it('puts offset/limit into a JSON body as numbers, nested names included, keeping the rest', () => {
    const ga4 = createPaginator({ type: 'offset', in: 'body', limit: 2, total: '$.rowCount' });
    const report = post({ dateRanges: [{ startDate: '2026-02-01' }], limit: 9 });
    expect(JSON.parse(applyPageStep(report, ga4.first(), 'w').body!)).toEqual({
      dateRanges: [{ startDate: '2026-02-01' }],
      limit: 2,
      offset: 0,
    });
    const tokens = createPaginator({ type: 'cursor', cursor: '$.nextPageToken', param: 'paging.token', in: 'body' });
    const step = tokens.next(page({ body: { nextPageToken: 't2' } }))!;
    expect(JSON.parse(applyPageStep(post({ paging: { size: 5 } }), step, 'w').body!)).toEqual({
      paging: { size: 5, token: 't2' },
    });
    expect(applyPageStep(post('a=1', 'application/x-www-form-urlencoded'), step, 'w').body).toBe('a=1&paging.token=t2');
    expect(() => applyPageStep(post('<q/>', 'application/xml'), step, 'sources/x.yml streams.s')).toThrow(
      /paginate\.in is body, but the request body is application\/xml/,
    );
  });

  it('sends a cursor read from a header with a pattern as a header, and stops when it is gone', () => {
    const paginator = createPaginator({
      type: 'cursor',
      cursor: { header: 'Link-Cursor', pattern: 'cursor=([^;]+)' },
      param: 'X-Page-Token',
      in: 'header',
    });
    expect(paginator.reads).toBe('nothing');
    const step = paginator.next(page({ headers: { 'link-cursor': 'cursor=abc; more' } }))!;
    expect(step).toEqual({ headers: { 'X-Page-Token': 'abc' }, page: { cursor: 'abc' } });
    expect(applyPageStep(post({}), step, 'w').headers['X-Page-Token']).toBe('abc');
    expect(paginator.next(page({ headers: {} }))).toBeUndefined();
  });

  it('stop_on_short_page: a page with fewer records than the page size is the last; without it, it is not', () => {
    const short = createPaginator({ type: 'offset', limit: 10, stop_on_short_page: true });
    expect(short.reads).toBe('count');
    expect(nextPage(short, page({ records: 10 }), progress(1))).toBeDefined();
    expect(nextPage(short, page({ records: 9 }), progress(2))).toBeUndefined();
    const pages = createPaginator({ type: 'page_number', size_param: 'n', size: 5, stop_on_short_page: true });
    expect(nextPage(pages, page({ records: 4 }), progress(1))).toBeUndefined();
    const patient = createPaginator({ type: 'offset', limit: 10 });
    expect(nextPage(patient, page({ records: 9 }), progress(1))).toEqual({
      query: { offset: '9', limit: '10' },
      page: { offset: 9 },
    });
    expect(pagination.safeParse({ type: 'page_number', stop_on_short_page: true }).error?.issues[0]?.message).toBe(
      'stop_on_short_page needs size: the page size a full page holds',
    );
  });

  it('in: template sends nothing itself: the request carries {{ page.* }}', () => {
    const paginator = createPaginator({ type: 'page_number', in: 'template', size: 3, size_param: 'n' });
    expect(paginator.first()).toEqual({ page: { number: 1 } });
  });
});
