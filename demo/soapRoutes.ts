import { DEMO_CREDENTIALS } from './credentials';
import { toCsv } from './csv';
import type { DemoRoute, DemoReply } from './routes';
import { zipOneFile } from './zip';
import { reportRecords } from './reportRecords';

const SOAP_NS = 'https://bingads.microsoft.com/Reporting/v13';

function envelope(body: string): DemoReply {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body: `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${body}</s:Body></s:Envelope>`,
  };
}

function fault(message: string, status = 500): DemoReply {
  return {
    ...envelope(`<s:Fault><faultcode>s:Client</faultcode><faultstring>${message}</faultstring></s:Fault>`),
    status,
  };
}

function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<(?:\\w+:)?${name}(?:\\s[^>]*)?>\\s*([^<]*?)\\s*</(?:\\w+:)?${name}>`).exec(xml)?.[1];
}

/** The CSV a Microsoft-Advertising-like report holds: title lines, a header, rows, a copyright footer. */
export function bingReportCsv(rows: Record<string, unknown>[], start: string, end: string): string {
  const title = `"Report Name: Campaign Performance"\n"Report Time: ${start},${end}"\n"Rows: ${rows.length}"\n\n`;
  return `${title}${toCsv(['TimePeriod', 'CampaignId', 'Impressions', 'Clicks', 'Spend', 'Conversions'], rows)}"©2026 Microsoft Corporation. All rights reserved. "\n`;
}

/**
 * Microsoft-Advertising-like SOAP reporting: SubmitGenerateReport and PollGenerateReport on one
 * endpoint, told apart by the SOAPAction header; the report is a zip holding one CSV.
 */
export const soapRoutes: DemoRoute[] = [
  {
    method: 'POST',
    pattern: /^\/bing\/Reporting\.svc$/,
    auth: 'none',
    handle: ({ body, headers, state }) => {
      if (tag(body, 'DeveloperToken') !== DEMO_CREDENTIALS.demo_bing!.developer_token)
        return fault('Invalid credentials (DeveloperToken)', 401);
      const action = String(headers.soapaction ?? '').replace(/"/g, '');
      if (action === 'SubmitGenerateReport') {
        const accountId = tag(body, 'long') ?? tag(body, 'AccountId');
        const start = tag(body, 'StartDate');
        const end = tag(body, 'EndDate');
        if (!accountId || !start || !end) return fault('AccountIds, StartDate and EndDate are required', 400);
        const { job } = state.createJob('bing', accountId, start, end);
        return envelope(
          `<SubmitGenerateReportResponse xmlns="${SOAP_NS}"><ReportRequestId>${job.id}</ReportRequestId></SubmitGenerateReportResponse>`,
        );
      }
      if (action === 'PollGenerateReport') {
        const job = state.jobs.get(tag(body, 'ReportRequestId') ?? '');
        if (!job) return fault('unknown ReportRequestId', 400);
        job.polls += 1;
        if (job.failed)
          return envelope(
            `<PollGenerateReportResponse xmlns="${SOAP_NS}"><ReportRequestStatus><Status>Error</Status></ReportRequestStatus></PollGenerateReportResponse>`,
          );
        const done = job.polls > job.pollsUntilDone;
        const url =
          done && !job.empty
            ? `<ReportDownloadUrl>${state.baseUrl}/bing/files/${job.id}.zip?sig=abc&amp;expires=${Date.now() + 60_000}</ReportDownloadUrl>`
            : '<ReportDownloadUrl i:nil="true" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"/>';
        return envelope(
          `<PollGenerateReportResponse xmlns="${SOAP_NS}"><ReportRequestStatus>${url}<Status>${done ? 'Success' : 'Pending'}</Status></ReportRequestStatus></PollGenerateReportResponse>`,
        );
      }
      return fault(`unknown SOAPAction "${action}"`, 400);
    },
  },
  {
    method: 'GET',
    pattern: /^\/bing\/files\/([\w-]+)\.zip$/,
    auth: 'none',
    handle: ({ params, query, state, data }) => {
      const job = state.jobs.get(params[0]!);
      if (!job) return { status: 404, body: 'no such file' };
      if (Number(query.get('expires')) < Date.now()) return { status: 403, body: 'expired' };
      // As Microsoft prints them: days as M/D/YYYY, and "--" where a metric has no value.
      const rows = reportRecords(data, job.accountId, job.start, job.end).map((row) => {
        const purchases = data.dailyActions(row.campaignId, row).find((action) => action.action_type === 'purchase');
        const [year, month, day] = row.date.split('-').map(Number) as [number, number, number];
        return {
          TimePeriod: `${month}/${day}/${year}`,
          CampaignId: row.campaignId,
          Impressions: row.impressions,
          Clicks: row.clicks,
          Spend: row.spend,
          Conversions: purchases ? purchases.value : '--',
        };
      });
      return {
        status: 200,
        headers: { 'content-type': 'application/octet-stream' },
        body: zipOneFile(`report-${job.id}.csv`, Buffer.from(bingReportCsv(rows, job.start, job.end))),
      };
    },
  },
];
