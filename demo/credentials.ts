/**
 * Credentials the demo API accepts, by source name. The local runtime seeds them into the
 * credentials store for every demo client; tests hand them to a fake SecretProvider.
 * They protect nothing real: the demo API only listens on localhost.
 */
export const DEMO_CREDENTIALS: Record<string, Record<string, string>> = {
  demo_ads: { access_token: 'demo-ads-access-7f3c9a1e' },
  demo_reports: { api_key: 'demo-reports-key-4b8d2e6f' },
  demo_oauth: {
    client_id: 'demo-oauth-client',
    client_secret: 'demo-oauth-secret-91ac',
    refresh_token: 'demo-refresh-0',
  },
  demo_bing: { developer_token: 'demo-bing-dev-token-31d7' },
  // The example sources modelled on real platforms use the same demo credentials.
  graph_ads: { access_token: 'demo-ads-access-7f3c9a1e' },
  sponsored_ads: {
    client_id: 'demo-oauth-client',
    client_secret: 'demo-oauth-secret-91ac',
    refresh_token: 'demo-refresh-0',
  },
  bing_reports: { developer_token: 'demo-bing-dev-token-31d7' },
  demo_basic: { username: 'demo-user', password: 'demo-pass-5e2a' },
  partner_feed: { api_key: 'demo-reports-key-4b8d2e6f' },
  tiktok_reports: { access_token: 'demo-tiktok-token-8c21' },
  analytics_data: { access_token: 'demo-ads-access-7f3c9a1e' },
};
