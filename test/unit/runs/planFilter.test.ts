import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { EmptyPlanError, planRun, UnknownPlanTargetError } from '../../../services/runs/plan';

const ctx = { config: loadConfig(process.cwd()), now: () => new Date('2026-02-10T12:00:00Z') } as ServiceContext;

describe('run filters', () => {
  it('plans only the named client', () => {
    const items = planRun(ctx, { runId: 'r', client: 'acme' });
    expect(items.length).toBeGreaterThan(0);
    expect(new Set(items.map((item) => item.client))).toEqual(new Set(['acme']));
  });

  it('names the known clients when the filter misspells one', () => {
    expect(() => planRun(ctx, { runId: 'r', client: 'acmee' })).toThrow(UnknownPlanTargetError);
    expect(() => planRun(ctx, { runId: 'r', client: 'acmee' })).toThrow(/known: acme, globex, initech/);
  });

  it('refuses a filter that selects nothing, saying which sources the client does use', () => {
    expect(() => planRun(ctx, { runId: 'r', client: 'acme', source: 'graph_ads' })).toThrow(EmptyPlanError);
    expect(() => planRun(ctx, { runId: 'r', client: 'acme', source: 'graph_ads' })).toThrow(
      /client "acme" does not use source "graph_ads" \(its sources: demo_ads, demo_reports\)/,
    );
  });
});
