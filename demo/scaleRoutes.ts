import type { DemoRoute } from './routes';
import { json } from './routes';

/**
 * One tiny record per account and day, for any account number: the stream behind the scale
 * tests and bench:scale (thousands of work items, each a real request, transform and load, with
 * almost no data in any of them).
 */
export const scaleRoutes: DemoRoute[] = [
  {
    method: 'GET',
    pattern: /^\/scale\/v1\/accounts\/(\d+)\/daily$/,
    auth: 'none',
    handle: ({ params, query }) => {
      const date = query.get('date') ?? '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return json({ error: { message: 'date must be YYYY-MM-DD' } }, 400);
      const account = params[0]!;
      const clicks = (Number(account) * 31 + Number(date.slice(8, 10))) % 97;
      return json({ data: [{ account_id: account, date, clicks }] });
    },
  },
];
