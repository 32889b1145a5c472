import type { DemoDataset } from './dataset';

/** Rows of an async report job: the campaign daily stats of one account for the job's dates. */
export function reportRecords(
  data: DemoDataset,
  accountId: string,
  start: string,
  end: string,
): { campaignId: string; date: string; impressions: number; clicks: number; spend: number }[] {
  return data
    .campaigns(accountId)
    .flatMap((campaign) =>
      data.dailyStats(campaign.id, start, end).map((stat) => ({ campaignId: campaign.id, ...stat })),
    );
}
