import { json, type DemoRoute } from './routes';

interface RunReportBody {
  dateRanges?: { startDate?: string; endDate?: string }[];
  limit?: number | string;
  offset?: number | string;
}

/** GA4 sends int64 fields as JSON numbers or strings; anything else is a 400 like Google's. */
function int64(value: number | string | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  const number = Number(value);
  return Number.isInteger(number) && number >= 0 ? number : undefined;
}

/**
 * GA4-Data-API-like reports: `POST /analytics/v1beta/properties/{id}:runReport` with the date
 * range, `limit` and `offset` in the JSON body (not the query). Rows carry dimension and metric
 * values as strings, `rowCount` is the total, and `rows` is left out when a page has none
 * (protobuf JSON omits empty lists). One row per campaign of the property and day.
 */
export const analyticsRoutes: DemoRoute[] = [
  {
    method: 'POST',
    pattern: /^\/analytics\/v1beta\/properties\/(\d+):runReport$/,
    auth: 'bearer',
    handle: ({ params, body, data }) => {
      const request = JSON.parse(body || '{}') as RunReportBody;
      const range = request.dateRanges?.[0];
      const iso = /^\d{4}-\d{2}-\d{2}$/;
      const limit = int64(request.limit, 10_000);
      const offset = int64(request.offset, 0);
      if (!range?.startDate || !range.endDate || !iso.test(range.startDate) || !iso.test(range.endDate))
        return json(
          { error: { code: 400, message: 'dateRanges[0] needs startDate and endDate', status: 'INVALID_ARGUMENT' } },
          400,
        );
      if (limit === undefined || offset === undefined || limit === 0)
        return json(
          {
            error: { code: 400, message: 'limit and offset must be non-negative integers', status: 'INVALID_ARGUMENT' },
          },
          400,
        );
      const rows = data.campaigns(params[0]!).flatMap((campaign) =>
        data.dailyStats(campaign.id, range.startDate!, range.endDate!).map((stat) => ({
          dimensionValues: [{ value: stat.date.replace(/-/g, '') }, { value: campaign.id }],
          metricValues: [{ value: String(stat.impressions) }, { value: String(stat.clicks) }],
        })),
      );
      const page = rows.slice(offset, offset + limit);
      return json({
        dimensionHeaders: [{ name: 'date' }, { name: 'sessionCampaignId' }],
        metricHeaders: [
          { name: 'impressions', type: 'TYPE_INTEGER' },
          { name: 'clicks', type: 'TYPE_INTEGER' },
        ],
        ...(page.length > 0 ? { rows: page } : {}),
        rowCount: rows.length,
        metadata: { currencyCode: 'USD', timeZone: 'America/New_York' },
        kind: 'analyticsData#runReport',
      });
    },
  },
];
