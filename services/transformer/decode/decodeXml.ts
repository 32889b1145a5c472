import { DecodeError } from '../errors';
import { formatBytes } from './formatBytes';
import { type DecodeLimits, type DecodedBatch } from './types';
import { XmlDoctypeError, XmlMarkupTooLongError, XmlScanner, XmlSyntaxError, type XmlHandler } from './XmlScanner';

export interface XmlDecodeOptions {
  /** Local name (namespace prefix ignored) of the element holding one record. */
  recordElement: string;
  /** Prefix for fields made from attributes. */
  attributePrefix: string;
}

/** An element being built inside a record; frames are reused by depth, not allocated per element. */
interface Frame {
  name: string;
  fields: Record<string, unknown> | undefined;
  text: string;
  /** Child names already turned into arrays (a repeated child). */
  arrays: Set<string> | undefined;
  /** Child elements opened so far. */
  children: number;
}

/** Bounds of the field names a record builder remembers by position (see `RecordBuilder.sameName`). */
const MAX_REMEMBERED_DEPTH = 64;
const MAX_REMEMBERED_SIBLINGS = 256;

/**
 * Streams records out of an XML document of any size with {@link XmlScanner}: each `recordElement` becomes
 * an object whose child elements are fields (repeated children become arrays, nested children
 * nested objects, text-only children strings) and whose attributes are fields too. Nothing
 * outside the record elements is kept. A DOCTYPE is refused, so no entity can expand.
 *
 * @example
 * decodeXml(text, { recordElement: 'row', attributePrefix: '' }, key, limits)
 */
export async function* decodeXml(
  text: AsyncIterable<string>,
  options: XmlDecodeOptions,
  where: string,
  limits: DecodeLimits,
): AsyncGenerator<DecodedBatch> {
  const builder = new RecordBuilder(options, limits, (what, fix) => {
    throw new DecodeError(`${where} (line ${scanner.line()})`, what, fix);
  });
  const scanner: XmlScanner = new XmlScanner(builder, limits.maxRecordBytes);
  try {
    for await (const chunk of text) {
      scanner.write(chunk);
      if (builder.batch.length > 0) yield builder.take();
    }
    scanner.close();
  } catch (error) {
    if (error instanceof XmlDoctypeError)
      throw new DecodeError(
        `${where} (line ${error.line})`,
        'the XML declares a DOCTYPE; DTDs are refused so that no entity can expand',
        'Ask the API for XML without a DTD',
      );
    if (error instanceof XmlMarkupTooLongError) {
      throw new DecodeError(
        `${where} (line ${error.line})`,
        `${error.message}, above format.max_record_bytes (${formatBytes(limits.maxRecordBytes)})`,
        'Raise format.max_record_bytes if such markup is expected, or check that the payload really is XML',
      );
    }
    if (error instanceof XmlSyntaxError)
      throw new DecodeError(
        `${where} (line ${error.line})`,
        `the XML is not well-formed (${error.message})`,
        'Check the payload, or the format.type',
      );
    throw error;
  }
  if (builder.batch.length > 0) yield builder.take();
}

/**
 * Builds record objects from scanner events. Frames are reused by depth, not allocated per
 * element; nothing outside a record element is kept.
 */
class RecordBuilder implements XmlHandler {
  batch: DecodedBatch = [];
  private readonly frames: Frame[] = [];
  private depth = 0;
  private recordChars = 0;
  /** Per depth inside a record, the field names met there, by position among their siblings. */
  private readonly namesByPosition: string[][] = [];

  constructor(
    private readonly options: XmlDecodeOptions,
    private readonly limits: DecodeLimits,
    private readonly fail: (what: string, fix: string) => never,
  ) {}

  take(): DecodedBatch {
    const batch = this.batch;
    this.batch = [];
    return batch;
  }

  open(qualified: string, attributes: string[] | undefined): void {
    const depth = this.depth;
    const name = depth === 0 ? localName(qualified) : this.sameName(localName(qualified), depth);
    if (depth === 0 && name !== this.options.recordElement) return;
    if (depth >= this.limits.maxDepth)
      this.fail(
        `a record is nested deeper than format.max_depth (${this.limits.maxDepth})`,
        'Raise format.max_depth if such records are expected',
      );
    let fields: Record<string, unknown> | undefined;
    if (attributes) {
      fields = {};
      for (let k = 0; k < attributes.length; k += 2) {
        const value = attributes[k + 1]!;
        fields[this.options.attributePrefix + localName(attributes[k]!)] = value;
        this.recordChars += value.length;
      }
    }
    const frame = this.frames[depth];
    if (frame) {
      frame.name = name;
      frame.fields = fields;
      frame.text = '';
      frame.arrays = undefined;
      frame.children = 0;
    } else this.frames.push({ name, fields, text: '', arrays: undefined, children: 0 });
    this.depth = depth + 1;
  }

  /**
   * The string this field name was given in the previous record at the same depth and position
   * among its siblings, when the names are equal (records repeat their structure); else the
   * name itself, remembered for the next record. The scanner hands over a new string for every
   * element, and looking fields up by new strings (each hashed and found in V8's string table
   * again) took a tenth of the XML decoder's time; the same string each time stays on the fast path.
   */
  private sameName(name: string, depth: number): string {
    const position = this.frames[depth - 1]!.children++;
    const names = this.namesByPosition[depth];
    const known = names?.[position];
    if (known === name) return known;
    if (depth < MAX_REMEMBERED_DEPTH && position < MAX_REMEMBERED_SIBLINGS)
      (names ?? (this.namesByPosition[depth] = []))[position] = name;
    return name;
  }

  text(value: string): void {
    if (this.depth === 0) return;
    this.frames[this.depth - 1]!.text += value;
    this.recordChars += value.length;
    if (this.recordChars > this.limits.maxRecordBytes) {
      this.fail(
        `a record is larger than format.max_record_bytes (${formatBytes(this.limits.maxRecordBytes)})`,
        'Raise format.max_record_bytes if such records are expected, or check format.record_element',
      );
    }
  }

  close(): void {
    if (this.depth === 0) return;
    const depth = --this.depth;
    const frame = this.frames[depth]!;
    const value = frame.fields ? withText(frame.fields, frame.text) : frame.text;
    // Reused frames must not keep the last record's values alive.
    frame.fields = undefined;
    frame.arrays = undefined;
    frame.text = '';
    if (depth === 0) {
      // A record is always an object; a text-only record element keeps its text under #text.
      this.batch.push(typeof value === 'string' ? (value.trim() === '' ? {} : { '#text': value.trim() }) : value);
      this.recordChars = 0;
      return;
    }
    const parent = this.frames[depth - 1]!;
    const fields = (parent.fields ??= {});
    const existing = fields[frame.name];
    if (existing === undefined) fields[frame.name] = value;
    else if (parent.arrays?.has(frame.name)) (existing as unknown[]).push(value);
    else {
      fields[frame.name] = [existing, value];
      (parent.arrays ??= new Set()).add(frame.name);
    }
  }
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/** Mixed content: an element with children or attributes keeps its own text under `#text`. */
function withText(fields: Record<string, unknown>, text: string): Record<string, unknown> {
  if (text !== '' && text.trim() !== '') fields['#text'] = text.trim();
  return fields;
}
