import type { DemoRoute } from './routes';
import { json } from './routes';

/**
 * How often the demo token endpoint was called and how many tokens it issued, so that the
 * refresh rate of short-lived tokens can be watched (`curl $DIF_DEMO_API_URL/oauth/stats`).
 */
export const oauthStatsRoutes: DemoRoute[] = [
  {
    method: 'GET',
    pattern: /^\/oauth\/stats$/,
    auth: 'none',
    handle: ({ state }) =>
      json({
        token_requests: state.tokenRequests.length,
        tokens_issued: state.tokensIssued,
        access_token_lifetime_seconds: state.accessTokenLifetime,
        refresh_token_grace: state.refreshTokenGrace,
      }),
  },
];
