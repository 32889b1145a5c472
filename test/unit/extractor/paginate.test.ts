import { describe, expect, it } from 'vitest';
import { createPaginator } from '../../../services/extractor/paginate/createPaginator';
import { nextLink } from '../../../services/extractor/paginate/linkHeader';
import type { PageFacts } from '../../../services/extractor/paginate/types';
import { nextPage } from '../../../services/extractor/paginate/nextPage';
import { XmlRecordCounter } from '../../../services/extractor/paginate/XmlRecordCounter';

const page = (facts: Partial<PageFacts>): PageFacts => ({ headers: {}, url: 'https://api.example.com/x', ...facts });
const progress = (pages: number, maxPages = 10_000) => ({ pages, maxPages, where: 'sources/t.yml streams.s' });

describe('paginators', () => {
  it('cursor: follows the cursor, stops when it or until_missing is absent, and refuses a repeat', () => {
    const paginator = createPaginator({
      type: 'cursor',
      cursor: '$.paging.after',
      param: 'after',
      until_missing: '$.paging.next',
    });
    expect(paginator.needs).toBe('body');
    expect(paginator.next(page({ body: { paging: { after: 'a', next: 'n' } }, records: 2 }))).toEqual({
      query: { after: 'a' },
    });
    expect(paginator.next(page({ body: { paging: { after: 'b' } }, records: 2 }))).toBeUndefined();
    expect(paginator.next(page({ body: { paging: {} }, records: 2 }))).toBeUndefined();
    expect(() => paginator.next(page({ body: { paging: { after: 'a', next: 'n' } }, records: 2 }))).toThrow(
      /same page cursor twice/,
    );
  });

  it('offset: advances by the records read and stops at the total (body or header) or an empty page, not a short page', () => {
    const byBody = createPaginator({
      type: 'offset',
      offset_param: 'offset',
      limit_param: 'limit',
      limit: 10,
      total: '$.total',
    });
    expect(byBody.first()).toEqual({ offset: '0', limit: '10' });
    expect(byBody.next(page({ body: { total: 25 }, records: 10 }))).toEqual({ query: { offset: '10', limit: '10' } });
    expect(byBody.next(page({ body: { total: 25 }, records: 7 }))).toEqual({ query: { offset: '17', limit: '10' } });
    expect(byBody.next(page({ body: { total: 25 }, records: 8 }))).toBeUndefined();
    const byHeader = createPaginator({
      type: 'offset',
      offset_param: 'o',
      limit_param: 'l',
      limit: 5,
      total_header: 'X-Total-Count',
    });
    expect(byHeader.needs).toBe('nothing');
    expect(byHeader.next(page({ headers: { 'x-total-count': '6' }, records: 5 }))).toEqual({
      query: { o: '5', l: '5' },
    });
    expect(byHeader.next(page({ headers: { 'x-total-count': '6' }, records: 1 }))).toBeUndefined();
    const untilEmpty = createPaginator({ type: 'offset', offset_param: 'offset', limit_param: 'limit', limit: 10 });
    expect(untilEmpty.needs).toBe('count');
    expect(nextPage(untilEmpty, page({ records: 3 }), progress(1))).toEqual({ query: { offset: '3', limit: '10' } });
    expect(nextPage(untilEmpty, page({ records: 0 }), progress(2))).toBeUndefined();
  });

  it('page_number: stops at total pages or total records', () => {
    const pages = createPaginator({ type: 'page_number', param: 'page', start: 0, total_pages: '$.pages' });
    expect(pages.first()).toEqual({ page: '0' });
    expect(pages.next(page({ body: { pages: 2 }, records: 1 }))).toEqual({ query: { page: '1' } });
    expect(pages.next(page({ body: { pages: 2 }, records: 1 }))).toBeUndefined();
    const records = createPaginator({
      type: 'page_number',
      param: 'p',
      start: 1,
      size_param: 'n',
      size: 3,
      total_records: '$.count',
    });
    expect(records.first()).toEqual({ p: '1', n: '3' });
    expect(records.next(page({ body: { count: 5 }, records: 3 }))).toEqual({ query: { p: '2', n: '3' } });
    expect(records.next(page({ body: { count: 5 }, records: 2 }))).toBeUndefined();
  });

  it('next_url and link_header resolve relative links and refuse a repeated URL', () => {
    const byUrl = createPaginator({ type: 'next_url', next: '$.next' });
    expect(byUrl.next(page({ body: { next: '/x?page=2' } }))).toEqual({ url: 'https://api.example.com/x?page=2' });
    expect(() => byUrl.next(page({ body: { next: '/x?page=2' } }))).toThrow(/twice/);
    expect(byUrl.next(page({ body: { next: null } }))).toBeUndefined();
    const byLink = createPaginator({ type: 'link_header' });
    expect(byLink.next(page({ headers: { link: '<https://api.example.com/x?page=3>; rel="next"' } }))).toEqual({
      url: 'https://api.example.com/x?page=3',
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
    expect(nextPage(pages, page({ records: 2 }), progress(1))).toEqual({ query: { page: '2' } });
    expect(nextPage(pages, page({ records: 0 }), progress(2))).toBeUndefined();
    expect(() => nextPage(pages, page({}), progress(3))).toThrow(
      /records on page 3 .* could not be counted .* add total_pages, total_records or total_header/,
    );
  });

  it('stop rules: limits.max_pages fails the walk with the setting named, for every paginator', () => {
    const byLink = createPaginator({ type: 'link_header' });
    const linked = (n: number) => page({ headers: { link: `<https://api.example.com/x?page=${n}>; rel="next"` } });
    expect(nextPage(byLink, linked(2), progress(2, 3))).toEqual({ url: 'https://api.example.com/x?page=2' });
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
