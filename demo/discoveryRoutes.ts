import { cursorPage, json, notFound, type DemoRoute } from './routes';

/** Meta's `account_status`: 1 active, 2 disabled, 101 closed. */
const ACTIVE = 1;
const CLOSED = 101;

/**
 * Account discovery, shaped on Meta's `GET /{business_id}/owned_ad_accounts?fields=account_id,
 * name,account_status`: every ad account of a business with its status, cursor-paged. Besides the
 * business's accounts (active) it lists a closed one, `{business number}9` (1009 for b100), that
 * has no campaigns (`/accounts/1009/campaigns` answers 404): a source must filter on the status.
 * Tests change the listing through `state.adAccounts`.
 */
export const discoveryRoutes: DemoRoute[] = [
  {
    method: 'GET',
    pattern: /^\/ads\/v1\/businesses\/([\w-]+)\/adaccounts$/,
    auth: 'bearer',
    handle: ({ params, query, url, data, state }) => {
      const business = params[0]!;
      const accounts = data.accounts(business);
      if (!accounts) return notFound(`business ${business}`);
      const listed = state.adAccounts.get(business) ?? [
        ...accounts.map((account) => ({ account_id: account.id, name: account.name, account_status: ACTIVE })),
        { account_id: `${business.slice(1, 2)}009`, name: 'Closed account', account_status: CLOSED },
      ];
      return json(cursorPage(listed, query, url, 25));
    },
  },
];
