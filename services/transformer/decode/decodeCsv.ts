import Papa from 'papaparse';
import { DecodeError } from '../errors';
import { DecodeFailure } from './DecodeFailure';
import { excerpt } from './excerpt';
import { formatBytes } from './formatBytes';
import { type DecodeLimits, type DecodedBatch } from './types';

export interface CsvDecodeOptions {
  delimiter: string;
  quote: string;
  /** Lines dropped before the header. */
  skipLines: number;
  /** Trailing rows whose text matches are dropped (report totals). */
  footerPattern?: RegExp;
}

/** Text read before giving up on finding a `\n` and taking `\r` (or none) as the line ending. */
const NEWLINE_PROBE_CHARS = 64 * 1024;

interface PapaChunkResult {
  data: string[][];
  errors: { row?: number; message: string }[];
  meta: { cursor: number };
}

/**
 * Decodes delimited text (RFC 4180 CSV, TSV) with papaparse's parser, chunk by chunk: quoted
 * fields may hold delimiters, quotes and newlines across chunk boundaries. The first row after
 * `skipLines` is the header; each later row becomes an object keyed by it. A row with another
 * number of fields than the header (ragged) or with broken quoting becomes a
 * {@link DecodeFailure}; a row longer than `maxRecordBytes` (usually an unclosed quote) fails
 * the item.
 *
 * @example
 * decodeCsv(text, { delimiter: '\t', quote: '"', skipLines: 2 }, key, limits)
 */
export async function* decodeCsv(
  text: AsyncIterable<string>,
  options: CsvDecodeOptions,
  where: string,
  limits: DecodeLimits,
): AsyncGenerator<DecodedBatch> {
  const rows = new CsvRows(options, where, limits);
  let pending = '';
  let skipping = options.skipLines;
  for await (const chunk of text) {
    pending += chunk;
    if (skipping > 0) {
      [pending, skipping] = dropLines(pending, skipping);
      if (skipping > 0) {
        if (pending.length > limits.maxRecordBytes) throw rows.tooLong(pending.length);
        continue;
      }
    }
    // The line ending is read from the first line, so wait until one is complete.
    if (!rows.started && !pending.includes('\n') && pending.length < NEWLINE_PROBE_CHARS) continue;
    pending = rows.parse(pending, false);
    const batch = rows.take();
    if (batch.length > 0) yield batch;
  }
  if (pending.length > 0) rows.parse(pending, true);
  rows.end();
  const batch = rows.take();
  if (batch.length > 0) yield batch;
}

/** Parser state: header, row counter, held footer candidates and the batch being built. */
class CsvRows {
  started = false;
  private parser: { parse(input: string, baseIndex: number, ignoreLastRow: boolean): PapaChunkResult } | undefined;
  private header: string[] | undefined;
  private rowNumber = 0;
  private batch: DecodedBatch = [];
  private held: DecodedBatch = [];

  constructor(
    private readonly options: CsvDecodeOptions,
    private readonly where: string,
    private readonly limits: DecodeLimits,
  ) {}

  /** Parses every complete row of `input`; returns the unparsed rest. */
  parse(input: string, last: boolean): string {
    if (!this.parser) {
      this.started = true;
      this.parser = new Papa.Parser({
        delimiter: this.options.delimiter,
        quoteChar: this.options.quote,
        newline: detectNewline(input),
      }) as never;
    }
    const result = this.parser!.parse(input, 0, !last);
    const broken = new Map<number, string>();
    for (const error of result.errors) if (error.row !== undefined) broken.set(error.row, error.message);
    for (let i = 0; i < result.data.length; i++) this.row(result.data[i]!, broken.get(i));
    const rest = last ? '' : input.slice(result.meta.cursor);
    if (rest.length > this.limits.maxRecordBytes) throw this.tooLong(rest.length);
    return rest;
  }

  private row(cells: string[], problem: string | undefined): void {
    if (cells.length === 1 && cells[0] === '') return;
    if (!this.header) {
      this.header = cells.map((name, index) => (name.trim() === '' ? `column_${index + 1}` : name));
      return;
    }
    this.rowNumber++;
    const header = this.header;
    let item: unknown;
    if (problem)
      item = new DecodeFailure(`row ${this.rowNumber}: ${problem}`, excerpt(cells.join(this.options.delimiter)));
    else if (cells.length !== header.length) {
      item = new DecodeFailure(
        `row ${this.rowNumber}: ${cells.length} fields where the header has ${header.length} (ragged row)`,
        excerpt(cells.join(this.options.delimiter)),
      );
    } else {
      const record: Record<string, string> = {};
      for (let j = 0; j < header.length; j++) record[header[j]!] = cells[j]!;
      item = record;
    }
    const footer = this.options.footerPattern;
    if (footer) {
      if (footer.test(cells.join(this.options.delimiter))) {
        this.held.push(item);
        return;
      }
      // Rows that looked like a footer were followed by data, so they were data.
      if (this.held.length > 0) {
        for (const heldItem of this.held) this.batch.push(heldItem);
        this.held = [];
      }
    }
    this.batch.push(item);
  }

  /** Rows still held as footer candidates at the end are the footer: they are dropped. */
  end(): void {
    this.held = [];
    if (!this.header)
      throw new DecodeError(
        this.where,
        'the CSV has no header line',
        'Check format.skip_lines and that the API returned the report',
      );
  }

  take(): DecodedBatch {
    const batch = this.batch;
    this.batch = [];
    return batch;
  }

  tooLong(chars: number): DecodeError {
    return new DecodeError(
      this.where,
      `row ${this.rowNumber + 1} is longer than format.max_record_bytes (${formatBytes(this.limits.maxRecordBytes)}, found ${formatBytes(chars)} without its end)`,
      'Usually a quote that is never closed; check format.quote and the payload, or raise format.max_record_bytes',
    );
  }
}

/** Drops up to `count` whole lines from the front; returns the rest and how many remain to drop. */
function dropLines(text: string, count: number): [string, number] {
  let start = 0;
  while (count > 0) {
    const newline = text.indexOf('\n', start);
    if (newline === -1) return [text.slice(start), count];
    start = newline + 1;
    count--;
  }
  return [text.slice(start), 0];
}

function detectNewline(text: string): '\n' | '\r\n' | '\r' {
  const newline = text.indexOf('\n');
  if (newline > 0 && text.charCodeAt(newline - 1) === 13) return '\r\n';
  if (newline === -1 && text.includes('\r')) return '\r';
  return '\n';
}
