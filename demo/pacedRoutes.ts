import { json, notFound, type DemoRoute } from './routes';

/** A report job of the paced routes: done `durationMs` after it was created. */
interface PacedJob {
  account: string;
  date: string;
  readyAt: number;
}

/** The report jobs of the paced routes (server-side state, on {@link DemoState}). */
export class PacedJobs {
  /** How long a new job runs (set from the `reportJobMs` option). */
  durationMs = 0;
  readonly jobs = new Map<string, PacedJob>();
  /** Status requests that found the job still running. */
  pollsWhileRunning = 0;

  create(account: string, date: string, now = performance.now()): string {
    const id = `paced-${this.jobs.size + 1}`;
    this.jobs.set(id, { account, date, readyAt: now + this.durationMs });
    return id;
  }
}

const ROWS_PER_PAGE = 5;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function rows(account: string, date: string, page: number) {
  return Array.from({ length: ROWS_PER_PAGE }, (_, row) => ({
    account_id: account,
    date,
    page,
    row,
    clicks: (Number(account) * 31 + Number(date.slice(8, 10)) * 7 + page * 3 + row) % 97,
  }));
}

/**
 * The API of bench:extract, one cheap answer per request so what is measured is pacing:
 * - `GET /paced/v1/accounts/:id/daily?date=&pages=N[&page=K]`: N cursor-paged pages of 5 rows;
 * - `POST /paced/v1/accounts/:id/reports?date=` creates a report job that is done
 *   `reportJobMs` later (`GET /paced/v1/reports/:id` answers RUNNING, then DONE), whose rows are
 *   at `GET /paced/v1/reports/:id/rows`.
 * Run with the `limits` option, every request counts against the enforced rate and concurrency.
 */
export const pacedRoutes: DemoRoute[] = [
  {
    method: 'GET',
    pattern: /^\/paced\/v1\/accounts\/(\d+)\/daily$/,
    auth: 'none',
    handle: ({ params, query }) => {
      const date = query.get('date') ?? '';
      const pages = Number(query.get('pages') ?? 1);
      const page = Number(query.get('page') || 1);
      if (!DATE.test(date)) return json({ error: { message: 'date must be YYYY-MM-DD' } }, 400);
      if (!(Number.isInteger(pages) && pages >= 1 && Number.isInteger(page) && page >= 1 && page <= pages))
        return json({ error: { message: `pages must be a whole number ≥ 1 and page within 1..pages` } }, 400);
      return json({ data: rows(params[0]!, date, page), next_page: page < pages ? String(page + 1) : null });
    },
  },
  {
    method: 'POST',
    pattern: /^\/paced\/v1\/accounts\/(\d+)\/reports$/,
    auth: 'none',
    handle: ({ params, query, state }) => {
      const date = query.get('date') ?? '';
      if (!DATE.test(date)) return json({ error: { message: 'date must be YYYY-MM-DD' } }, 400);
      return json({ report_id: state.pacedJobs.create(params[0]!, date) });
    },
  },
  {
    method: 'GET',
    pattern: /^\/paced\/v1\/reports\/([\w-]+)$/,
    auth: 'none',
    handle: ({ params, state }) => {
      const job = state.pacedJobs.jobs.get(params[0]!);
      if (!job) return notFound(`report ${params[0]}`);
      const done = performance.now() >= job.readyAt;
      if (!done) state.pacedJobs.pollsWhileRunning += 1;
      return json({ report_id: params[0], status: done ? 'DONE' : 'RUNNING' });
    },
  },
  {
    method: 'GET',
    pattern: /^\/paced\/v1\/reports\/([\w-]+)\/rows$/,
    auth: 'none',
    handle: ({ params, state }) => {
      const job = state.pacedJobs.jobs.get(params[0]!);
      if (!job) return notFound(`report ${params[0]}`);
      if (performance.now() < job.readyAt) return json({ error: { message: `report ${params[0]} is not done` } }, 409);
      return json({ data: rows(job.account, job.date, 0) });
    },
  },
];
