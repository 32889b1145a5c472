import { DEMO_CREDENTIALS } from './credentials';
import { json, type DemoRoute } from './routes';

/** TikTok's error envelope: errors come back with status 200 and a non-zero code. */
function tiktokError(code: number, message: string) {
  return json({ code, message, request_id: 'demo', data: {} });
}

/**
 * TikTok-Business-like integrated report (`/open_api/v1.3/report/integrated/get/`): the
 * `Access-Token` header authenticates, `advertiser_id` is a query parameter and is NOT in the
 * rows (only the requested dimensions are), days are `YYYY-MM-DD 00:00:00`, metrics are strings
 * and `ctr` is a percentage ("2.15" means 2.15%). Paged by page/page_size with page_info.total_page.
 */
export const tiktokRoutes: DemoRoute[] = [
  {
    method: 'GET',
    pattern: /^\/tiktok\/open_api\/v1\.3\/report\/integrated\/get\/?$/,
    auth: 'none',
    handle: ({ query, headers, data }) => {
      if (headers['access-token'] !== DEMO_CREDENTIALS.tiktok_reports!.access_token)
        return tiktokError(40105, 'Access token is incorrect or has been revoked.');
      const advertiser = query.get('advertiser_id') ?? '';
      const [start, end] = [query.get('start_date') ?? '', query.get('end_date') ?? ''];
      if (!data.account(advertiser)) return tiktokError(40002, `advertiser_id ${advertiser} is invalid`);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || !/^\d{4}-\d{2}-\d{2}$/.test(end))
        return tiktokError(40002, 'start_date and end_date must be YYYY-MM-DD');
      const rows = data.campaigns(advertiser).flatMap((campaign) =>
        data.dailyStats(campaign.id, start, end).map((stat) => ({
          dimensions: { campaign_id: campaign.id, stat_time_day: `${stat.date} 00:00:00` },
          metrics: {
            spend: stat.spend.toFixed(2),
            impressions: String(stat.impressions),
            clicks: String(stat.clicks),
            ctr: ((100 * stat.clicks) / stat.impressions).toFixed(2),
          },
        })),
      );
      const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
      const size = Math.min(1000, Math.max(1, Number(query.get('page_size') ?? 10) || 10));
      return json({
        code: 0,
        message: 'OK',
        request_id: 'demo',
        data: {
          list: rows.slice((page - 1) * size, page * size),
          page_info: { page, page_size: size, total_number: rows.length, total_page: Math.ceil(rows.length / size) },
        },
      });
    },
  },
];
