import { SaxesParser } from 'saxes';
import { DecodeError } from '../errors';
import { formatBytes } from './formatBytes';
import { type DecodeLimits, type DecodedBatch } from './types';

export interface XmlDecodeOptions {
  /** Local name (namespace prefix ignored) of the element holding one record. */
  recordElement: string;
  /** Prefix for fields made from attributes. */
  attributePrefix: string;
}

/** An element being built inside a record. */
interface Frame {
  name: string;
  fields: Record<string, unknown> | undefined;
  text: string;
  /** Child names already turned into arrays (a repeated child). */
  arrays?: Set<string>;
}

/**
 * Streams records out of an XML document of any size with saxes: each `recordElement` becomes
 * an object whose child elements are fields (repeated children become arrays, nested children
 * nested objects, text-only children strings) and whose attributes are fields too. Nothing
 * outside the record elements is kept. A DOCTYPE is refused, so no entity can expand.
 *
 * @example
 * decodeXml(text, { recordElement: 'row', attributePrefix: '' }, key, limits)
 */
export async function* decodeXml(text: AsyncIterable<string>, options: XmlDecodeOptions, where: string, limits: DecodeLimits): AsyncGenerator<DecodedBatch> {
  const parser = new SaxesParser({ position: true });
  let batch: DecodedBatch = [];
  const stack: Frame[] = [];
  let recordChars = 0;
  let failure: DecodeError | undefined;
  const fail = (what: string, fix: string): never => {
    throw new DecodeError(`${where} (line ${parser.line})`, what, fix);
  };
  parser.on('error', (error) => {
    failure ??= new DecodeError(`${where} (line ${parser.line})`, `the XML is not well-formed (${error.message.replace(/^.*?:\d+:\d+: /, '')})`, 'Check the payload, or the format.type');
    throw failure;
  });
  parser.on('doctype', () => fail('the XML declares a DOCTYPE; DTDs are refused so that no entity can expand', 'Ask the API for XML without a DTD'));
  parser.on('opentag', (tag) => {
    const name = localName(tag.name);
    if (stack.length === 0 && name !== options.recordElement) return;
    if (stack.length >= limits.maxDepth) fail(`a record is nested deeper than format.max_depth (${limits.maxDepth})`, 'Raise format.max_depth if such records are expected');
    let fields: Record<string, unknown> | undefined;
    for (const attribute in tag.attributes) {
      fields ??= {};
      const value = tag.attributes[attribute] as string;
      fields[options.attributePrefix + localName(attribute)] = value;
      recordChars += value.length;
    }
    stack.push({ name, fields, text: '' });
  });
  const onText = (value: string) => {
    const top = stack[stack.length - 1];
    if (!top) return;
    top.text += value;
    recordChars += value.length;
    if (recordChars > limits.maxRecordBytes) {
      fail(`a record is larger than format.max_record_bytes (${formatBytes(limits.maxRecordBytes)})`, 'Raise format.max_record_bytes if such records are expected, or check format.record_element');
    }
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const frame = stack.pop();
    if (!frame) return;
    const value = frame.fields ? withText(frame.fields, frame.text) : frame.text;
    const parent = stack[stack.length - 1];
    if (!parent) {
      // A record is always an object; a text-only record element keeps its text under #text.
      batch.push(typeof value === 'string' ? (value.trim() === '' ? {} : { '#text': value.trim() }) : value);
      recordChars = 0;
      return;
    }
    const fields = (parent.fields ??= {});
    const existing = fields[frame.name];
    if (existing === undefined) fields[frame.name] = value;
    else if (Array.isArray(existing) && parent.arrays?.has(frame.name)) existing.push(value);
    else {
      fields[frame.name] = [existing, value];
      (parent.arrays ??= new Set()).add(frame.name);
    }
  });
  for await (const chunk of text) {
    parser.write(chunk);
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
  parser.close();
  if (batch.length > 0) yield batch;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/** Mixed content: an element with children or attributes keeps its own text under `#text`. */
function withText(fields: Record<string, unknown>, text: string): Record<string, unknown> {
  if (text.trim() !== '') fields['#text'] = text.trim();
  return fields;
}
