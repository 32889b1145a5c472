import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRunReport, tableCounts } from '../../cli/report';
import type { ItemRecord, ItemStage, RunRecord } from '../../shared/ports';

const START = Date.parse('2026-01-15T06:00:00.000Z');
const INJECTED_PARTITION = 'date=<img src=x onerror="window.__pwned=1">';
const INJECTED_ERROR = 'Extract.HttpError: GET /stats returned 500 <script>window.__pwned=2</script> & "retry later"';

const run: RunRecord = {
  runId: '20260115T060000Z-a1b2c3',
  status: 'failed',
  startedAt: new Date(START).toISOString(),
  finishedAt: new Date(START + 42_000).toISOString(),
  trigger: { by: 'dif run', client: 'acme</style><script>window.__pwned=3</script>' },
};

const PIPELINE: ItemStage[] = [
  'planned',
  'extracting',
  'extracted',
  'transforming',
  'transformed',
  'loading',
  'loaded',
];

/** An item that went through `stages`, starting `offset` s into the run, each stage lasting `steps[i]` s. */
function item(
  itemId: string,
  stream: string,
  partition: string,
  offset: number,
  steps: number[],
  stages: ItemStage[],
  extra: Partial<ItemRecord> = {},
): ItemRecord {
  const stageTimes: ItemRecord['stageTimes'] = {};
  let at = START + offset * 1000;
  stages.forEach((stage, index) => {
    stageTimes[stage] = new Date(at).toISOString();
    at += (steps[index] ?? 0) * 1000;
  });
  const stage = stages.at(-1)!;
  return {
    runId: run.runId,
    itemId,
    client: 'acme',
    source: 'demo_ads',
    stream,
    partition,
    stage,
    attempts: 1,
    stageTimes,
    updatedAt: new Date(at).toISOString(),
    ...extra,
  };
}

const items: ItemRecord[] = [
  item('i1', 'accounts', 'all', 0.2, [0.3, 2, 0.5, 1.5, 0.4, 2], PIPELINE, {
    pages: 2,
    recordsIn: 3,
    recordsOut: 3,
    rowsLoaded: 3,
    table: 'acme.accounts',
  }),
  item('i2', 'campaigns', 'all', 0.2, [0.5, 4, 1, 3, 0.5, 3], PIPELINE, {
    pages: 3,
    recordsIn: 6,
    recordsOut: 6,
    rowsLoaded: 6,
    table: 'acme.campaigns',
  }),
  ...['2026-01-01', '2026-01-02', '2026-01-03'].map((day, index) =>
    item(
      `i-day-${index}`,
      'campaign_daily_stats',
      `date=${day}`,
      1 + index * 2,
      [1, 6 + index * 2, 2, 4, 1, 5],
      PIPELINE,
      {
        pages: 5,
        recordsIn: 28,
        recordsOut: 27,
        recordsRejected: 1,
        rowsLoaded: 27,
        table: 'acme.campaign_daily_stats',
        childRows: { 'acme.campaign_actions': 40 },
      },
    ),
  ),
  item('i-bad', 'campaign_daily_stats', INJECTED_PARTITION, 3, [2, 9], ['planned', 'extracting', 'failed'], {
    attempts: 3,
    pages: 1,
    error: INJECTED_ERROR,
  }),
  item('i-recovered', 'daily_channel_report', 'all', 5, [1, 8, 2, 3, 1, 20], PIPELINE, {
    rowsLoaded: 42,
    table: 'acme.daily_channel_report',
    error: 'Load.RetriesExhausted: connection refused',
  }),
];

describe('renderRunReport', () => {
  const html = renderRunReport(run, items, { now: new Date(START + 60_000) });

  it('draws one timeline bar per item, with a segment per stage it went through', () => {
    expect(html.match(/<g class="bar"/g)).toHaveLength(items.length);
    const bar = /<g class="bar" data-item-id="i2"[\s\S]*?<\/g>/.exec(html)![0];
    expect(bar.match(/class="segment stage-/g)).toHaveLength(6);
    expect(bar).toContain('class="end end-loaded"');
    expect(/<g class="bar" data-item-id="i-bad"[\s\S]*?<\/g>/.exec(html)![0]).toContain('class="end end-failed"');
  });

  it('lists the gaps the run left and the report jobs it re-submitted', () => {
    const partial: RunRecord = {
      ...run,
      status: 'succeeded',
      summary: {
        gaps: [
          { label: 'acme/demo_ads/campaign_daily_stats/date=2026-01-04', error: 'Extract.HttpError: HTTP 503 <b>' },
        ],
        allowedPartial: 1,
      },
    };
    const report = item('i-report', 'daily_channel_report', 'all', 1, [1, 8, 2, 3, 1, 20], PIPELINE, {
      attempts: 2,
      resubmits: 1,
      error: 'Extract.ReportJobFailed: the platform failed report job 7 2 times',
    });
    const page = renderRunReport(partial, [...items, report], { now: new Date(START + 60_000) });
    const gaps = /<h2>Gaps<\/h2>([\s\S]*?)<h2>/.exec(page)![1]!;
    expect(gaps).toContain('1 partition(s) have never loaded (the run succeeded because <code>allow_partial</code>');
    expect(gaps).toContain('acme/demo_ads/campaign_daily_stats/date=2026-01-04');
    expect(gaps).toContain('Extract.HttpError: HTTP 503 &lt;b&gt;');
    expect(page).toMatch(/<b>1<\/b><span>gaps<\/span>/);
    expect(page).toContain('attempts 2 · report job re-submitted 1×');
    expect(html).toContain('No gap figures: Finalize has not summarised this run.');
    const clean = renderRunReport({ ...run, status: 'succeeded', summary: {} }, items);
    expect(clean).toContain('No gaps: every partition of the run has loaded at least once.');
  });

  it('escapes every text from run state, so injected markup stays text', () => {
    expect(html).not.toMatch(/<script|<img|onerror="/i);
    expect(html).toContain('&lt;script&gt;window.__pwned=2&lt;/script&gt; &amp; &quot;retry later&quot;');
    expect(html).toContain('date=&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;');
    expect(html).toContain('acme&lt;/style&gt;&lt;script&gt;');
  });

  it('is self-contained: inline styles and SVG only, a CSP that forbids scripts and fetches', () => {
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
    expect(html).not.toMatch(/<[^>]*\s(src|href)=/);
    expect(html.match(/https?:\/\/[^"\s]*/g)).toEqual(['http://www.w3.org/2000/svg']);
  });

  it('counts per table, including child tables and items that never reached the loader', () => {
    expect(tableCounts(items)).toEqual([
      {
        table: 'acme.accounts',
        items: 1,
        loaded: 1,
        failed: 0,
        recordsIn: 3,
        recordsOut: 3,
        recordsRejected: 0,
        rowsLoaded: 3,
      },
      {
        table: 'acme.campaign_actions',
        items: 3,
        loaded: 3,
        failed: 0,
        recordsIn: 0,
        recordsOut: 0,
        recordsRejected: 0,
        rowsLoaded: 120,
      },
      {
        table: 'acme.campaign_daily_stats',
        items: 3,
        loaded: 3,
        failed: 0,
        recordsIn: 84,
        recordsOut: 81,
        recordsRejected: 3,
        rowsLoaded: 81,
      },
      {
        table: 'acme.campaigns',
        items: 1,
        loaded: 1,
        failed: 0,
        recordsIn: 6,
        recordsOut: 6,
        recordsRejected: 0,
        rowsLoaded: 6,
      },
      {
        table: 'acme.daily_channel_report',
        items: 1,
        loaded: 1,
        failed: 0,
        recordsIn: 0,
        recordsOut: 0,
        recordsRejected: 0,
        rowsLoaded: 42,
      },
      {
        table: 'demo_ads.campaign_daily_stats',
        items: 1,
        loaded: 0,
        failed: 1,
        recordsIn: 0,
        recordsOut: 0,
        recordsRejected: 0,
        rowsLoaded: 0,
      },
    ]);
  });
});

describe('the report in headless Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dif-report-'));
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders one visible bar per item, runs no injected script, fetches nothing, and is screenshotted', async () => {
    const file = join(dir, 'report.html');
    writeFileSync(file, renderRunReport(run, items, { now: new Date(START + 60_000) }));
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href);

    const bars = page.locator('svg.timeline g.bar');
    expect(await bars.count()).toBe(items.length);
    expect(await bars.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-item-id')).sort())).toEqual(
      items.map((entry) => entry.itemId).sort(),
    );
    // Every bar has drawn segments of real width, all inside the chart.
    const widths = await bars.evaluateAll((nodes) =>
      nodes.map((node) =>
        [...node.querySelectorAll('rect.segment')].reduce((sum, rect) => sum + rect.getBoundingClientRect().width, 0),
      ),
    );
    expect(widths.every((width) => width > 5)).toBe(true);
    expect(await page.locator('svg.timeline .end-failed').count()).toBe(1);

    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img, script').count()).toBe(0);
    expect(await page.locator('.error[data-item-id="i-bad"] .cause').textContent()).toBe(
      'GET /stats returned 500 <script>window.__pwned=2</script> & "retry later"',
    );
    expect(await page.locator('.error[data-item-id="i-recovered"] .recovered').textContent()).toBe(
      'recovered, now loaded',
    );
    expect(await page.locator('table.tables tbody tr').count()).toBe(6);
    expect(requests).toEqual([pathToFileURL(file).href]);

    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: join('test-results', 'report.png'), fullPage: true });
    await page.close();
  });
});
