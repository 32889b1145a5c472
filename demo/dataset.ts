import { createHash } from 'node:crypto';

/** The demo API's data, derived from a seed: the same seed always serves the same records. */
export interface DemoAccount {
  id: string;
  business_id: string;
  name: string;
  currency: string;
  status: string;
}

export interface DemoCampaign {
  id: string;
  account_id: string;
  name: string;
  status: string;
  objective: string;
  daily_budget: number;
  created_time: string;
}

export interface DemoDailyStat {
  date: string;
  impressions: number;
  clicks: number;
  /** Spend in currency units with two decimals (exact in cents). */
  spend: number;
}

/** One entry of a daily stat's `actions[]` (Meta-style conversion counts). */
export interface DemoAction {
  action_type: string;
  value: number;
}

export interface DemoReportRow {
  date: string;
  advertiser_id: string;
  channel: string;
  sessions: number;
  conversions: number;
  revenue: string;
}

const CHANNELS = ['search', 'social', 'display'];
const OBJECTIVES = ['REACH', 'TRAFFIC', 'CONVERSIONS'];

/** Deterministic pseudo-random integer in [0, modulo) from the seed and the given parts. */
function pick(seed: number, modulo: number, ...parts: (string | number)[]): number {
  const digest = createHash('sha256')
    .update([seed, ...parts].join('|'))
    .digest();
  return digest.readUInt32BE(0) % modulo;
}

/** Every date from `since` to `until` inclusive (YYYY-MM-DD, UTC). */
export function datesBetween(since: string, until: string): string[] {
  const dates: string[] = [];
  const end = Date.parse(`${until}T00:00:00Z`);
  for (let time = Date.parse(`${since}T00:00:00Z`); time <= end; time += 86_400_000) {
    dates.push(new Date(time).toISOString().slice(0, 10));
  }
  return dates;
}

/**
 * The demo data set. Businesses own accounts, accounts own campaigns, campaigns have daily
 * stats for any date; advertisers have a daily CSV report per channel for any date.
 */
export class DemoDataset {
  readonly businesses: Record<string, DemoAccount[]>;

  constructor(readonly seed = 42) {
    this.businesses = {
      b100: this.makeAccounts('b100', ['1001', '1002', '1003']),
      b200: this.makeAccounts('b200', ['2001', '2002']),
    };
  }

  private makeAccounts(businessId: string, ids: string[]): DemoAccount[] {
    return ids.map((id) => ({
      id,
      business_id: businessId,
      name: `Account ${id}`,
      currency: pick(this.seed, 2, 'currency', id) === 0 ? 'EUR' : 'USD',
      status: 'ACTIVE',
    }));
  }

  /** Accounts of a business, or undefined for an unknown business. */
  accounts(businessId: string): DemoAccount[] | undefined {
    return this.businesses[businessId];
  }

  account(accountId: string): DemoAccount | undefined {
    return Object.values(this.businesses)
      .flat()
      .find((account) => account.id === accountId);
  }

  /** 3 to 7 campaigns per known account. */
  campaigns(accountId: string): DemoCampaign[] {
    if (!this.account(accountId)) return [];
    const count = 3 + pick(this.seed, 5, 'campaigns', accountId);
    return Array.from({ length: count }, (_, index) => {
      const id = `${accountId}${String(index + 1).padStart(3, '0')}`;
      return {
        id,
        account_id: accountId,
        name: `Campaign ${index + 1} "${accountId}", spring`,
        status: pick(this.seed, 4, 'status', id) === 0 ? 'PAUSED' : 'ACTIVE',
        objective: OBJECTIVES[pick(this.seed, OBJECTIVES.length, 'objective', id)]!,
        daily_budget: 50 + pick(this.seed, 200, 'budget', id),
        created_time: new Date(Date.UTC(2025, 0, 1 + pick(this.seed, 300, 'created', id))).toISOString(),
      };
    });
  }

  campaign(campaignId: string): DemoCampaign | undefined {
    return this.campaigns(campaignId.slice(0, 4)).find((campaign) => campaign.id === campaignId);
  }

  /** One row per day from `since` to `until`. */
  dailyStats(campaignId: string, since: string, until: string): DemoDailyStat[] {
    return datesBetween(since, until).map((date) => {
      const impressions = 1000 + pick(this.seed, 9000, 'impressions', campaignId, date);
      const clicks = Math.floor((impressions * (1 + pick(this.seed, 5, 'ctr', campaignId, date))) / 100);
      const cents = clicks * (20 + pick(this.seed, 80, 'cpc', campaignId, date));
      return { date, impressions, clicks, spend: cents / 100 };
    });
  }

  /**
   * The conversions of a daily stat, as an `actions[]` array: link clicks always, purchases and
   * leads on some days only, so arrays have one to three elements.
   */
  dailyActions(campaignId: string, stat: DemoDailyStat): DemoAction[] {
    const actions: DemoAction[] = [{ action_type: 'link_click', value: stat.clicks }];
    const purchases = pick(this.seed, 4, 'purchases', campaignId, stat.date);
    if (purchases > 0) actions.push({ action_type: 'purchase', value: purchases });
    if (pick(this.seed, 3, 'leads', campaignId, stat.date) === 0)
      actions.push({ action_type: 'lead', value: 1 + pick(this.seed, 5, 'lead-count', campaignId, stat.date) });
    return actions;
  }

  /** One row per day and channel, revenue as exact decimal text. */
  reportRows(advertiserId: string, start: string, end: string): DemoReportRow[] {
    return datesBetween(start, end).flatMap((date) =>
      CHANNELS.map((channel) => {
        const sessions = 100 + pick(this.seed, 900, 'sessions', advertiserId, date, channel);
        const conversions = pick(this.seed, 1 + Math.floor(sessions / 10), 'conversions', advertiserId, date, channel);
        const cents = conversions * (1000 + pick(this.seed, 9000, 'value', advertiserId, date, channel));
        return { date, advertiser_id: advertiserId, channel, sessions, conversions, revenue: (cents / 100).toFixed(2) };
      }),
    );
  }
}
