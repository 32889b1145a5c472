import { describe, expect, it } from 'vitest';
import { compileValueReader, parsePath, PathSyntaxError, readPath, selectRecords } from '../../../shared/paths';

const insight = {
  ad_id: '7',
  metrics: { spend: '1.50' },
  actions: [
    { action_type: 'link_click', value: '12' },
    { action_type: 'purchase', value: '3' },
    { action_type: 'offsite_conversion.fb_pixel_purchase', value: '2', target: { id: 9 } },
  ],
};

describe('the one path language (shared/paths)', () => {
  it('reads members, indexes from either end, wildcards and filters', () => {
    expect(readPath(insight, '$.metrics.spend')).toBe('1.50');
    expect(readPath(insight, '$.actions[0].value')).toBe('12');
    expect(readPath(insight, '$.actions[-1].value')).toBe('2');
    expect(readPath(insight, "$.actions['0'].value")).toBe('12');
    expect(readPath(insight, '$.actions.1.value')).toBe('3');
    expect(readPath(insight, '$.actions[*].action_type')).toEqual([
      'link_click',
      'purchase',
      'offsite_conversion.fb_pixel_purchase',
    ]);
    expect(readPath(insight, "$.actions[?action_type=='purchase'].value")).toEqual(['3']);
    expect(readPath(insight, '$.actions[?@.action_type != "purchase" && value == 2].value')).toEqual(['2']);
    expect(readPath(insight, '$.actions[?target.id==9].value')).toEqual(['2']);
    expect(readPath(insight, '$.nothing.here')).toBeUndefined();
  });

  it('never reads what objects and arrays inherit', () => {
    expect(readPath(insight, '$.constructor')).toBeUndefined();
    expect(readPath(insight, '$.actions.length')).toBeUndefined();
    expect(compileValueReader('toString').read(insight)).toBeUndefined();
    expect(compileValueReader('actions.length').read(insight)).toBeUndefined();
  });

  it('compiles column paths without the $, with names as CSV headers write them', () => {
    expect(compileValueReader('metrics.spend').read(insight)).toBe('1.50');
    expect(compileValueReader('Campaign name').read({ 'Campaign name': 'x' })).toBe('x');
    const purchases = compileValueReader("actions[?action_type=='purchase'].value");
    expect(purchases.definite).toBe(false);
    expect(purchases.read(insight)).toEqual(['3']);
    expect(purchases.read({ actions: null })).toEqual([]);
  });

  it('reads records as the streaming decoder does: every list at the path, flattened', () => {
    const pages = { pages: [{ items: [{ i: 1 }, { i: 2 }] }, { items: { i: 3 } }, { items: null }] };
    expect(selectRecords(pages, '$.pages[*].items')).toMatchObject({
      records: [{ i: 1 }, { i: 2 }, { i: 3 }],
      targets: 2,
      nullTarget: true,
    });
    expect(selectRecords({ data: 'oops' }, '$.data').scalar).toEqual({ value: 'oops' });
  });

  it.each([
    ['$.a[', /expected a number/],
    ['$.a[?x>1]', /expected == or !=/],
    ["$.a[?x=='1]", /not closed/],
    ['$..a', /a name is missing/],
    [' $.a', /must not be empty or start or end with spaces/],
  ])('refuses %s, saying what is wrong', (path, message) => {
    expect(() => parsePath(path)).toThrow(PathSyntaxError);
    expect(() => parsePath(path)).toThrow(message);
  });

  it('refuses filters and counting from the end in records paths', () => {
    expect(() => selectRecords({}, "$.data[?x=='1']")).toThrow(/cannot filter/);
    expect(() => selectRecords({}, '$.data[-1]')).toThrow(/from the end/);
  });
});
