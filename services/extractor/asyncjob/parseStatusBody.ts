import { XMLParser } from 'fast-xml-parser';

const xml = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, trimValues: true });

/**
 * Parses a job create/status response: JSON, or XML/SOAP (namespace prefixes removed, so
 * `$.Envelope.Body.PollGenerateReportResponse.ReportRequestStatus.Status` reads a SOAP answer).
 * Undefined when the body is neither.
 */
export function parseStatusBody(buffer: Buffer): unknown {
  const text = buffer
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trim();
  if (text.startsWith('<')) {
    try {
      return xml.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
