import type { DemoRoute } from './routes';
import { json } from './routes';

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * A partner's XML feed of daily campaign stats, paged by page number with no total anywhere:
 * a page past the end is an empty `<feed/>`, the only signal that paging is over (the case
 * that paged forever before record counting covered XML).
 */
export const partnerFeedRoutes: DemoRoute[] = [
  {
    method: 'GET',
    pattern: /^\/feed\/v1\/accounts\/(\d+)\/stats\.xml$/,
    auth: 'api_key',
    handle: ({ params, query, data }) => {
      const accountId = params[0]!;
      const since = query.get('since') ?? '';
      const until = query.get('until') ?? '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(since) || !/^\d{4}-\d{2}-\d{2}$/.test(until))
        return json({ error: { message: 'since and until must be YYYY-MM-DD' } }, 400);
      const rows = data
        .campaigns(accountId)
        .flatMap((campaign) =>
          data.dailyStats(campaign.id, since, until).map((stat) => ({ campaign_id: campaign.id, ...stat })),
        );
      const size = Math.max(1, Number(query.get('per_page') ?? 10));
      const page = Math.max(1, Number(query.get('page') ?? 1));
      const slice = rows.slice((page - 1) * size, page * size);
      const body = slice
        .map(
          (row) =>
            `<stat><date>${row.date}</date><campaign_id>${escapeXml(row.campaign_id)}</campaign_id><impressions>${row.impressions}</impressions><clicks>${row.clicks}</clicks><spend>${row.spend.toFixed(2)}</spend></stat>`,
        )
        .join('\n');
      return {
        status: 200,
        headers: { 'content-type': 'application/xml; charset=utf-8' },
        body: `<?xml version="1.0" encoding="utf-8"?>\n${slice.length === 0 ? `<feed account="${accountId}" page="${page}"/>` : `<feed account="${accountId}" page="${page}">\n${body}\n</feed>`}\n`,
      };
    },
  },
];
