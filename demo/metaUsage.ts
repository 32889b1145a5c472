import type { DemoState } from './platformRoutes';

/**
 * Meta's `X-Business-Use-Case-Usage` header: usage per ad account and use case, in percent of
 * the quota, e.g. `{"1002":[{"type":"ads_management","call_count":4,…},{"type":"ads_insights",…}]}`.
 * The demo reports `state.businessUseCaseUsage` for the account (default 4%) on ads_management,
 * and a quarter of it on ads_insights.
 */
export function metaUsageHeaders(state: DemoState, accountId: string): Record<string, string> {
  const used = state.businessUseCaseUsage.get(accountId) ?? 4;
  const useCase = (type: string, callCount: number) => ({
    type,
    call_count: callCount,
    total_cputime: Math.floor(callCount / 2),
    total_time: Math.floor(callCount / 2),
    estimated_time_to_regain_access: callCount >= 100 ? 5 : 0,
  });
  return {
    'x-business-use-case-usage': JSON.stringify({
      [accountId]: [useCase('ads_management', used), useCase('ads_insights', Math.floor(used / 4))],
    }),
  };
}
