/** What the scanner reports, in document order. */
export interface XmlHandler {
  /** An element opens; `attributes` is `[name, value, name, value…]` (entities decoded) or undefined. */
  open(name: string, attributes: string[] | undefined): void;
  /** Character data inside the root element (entities decoded; CDATA as written). May come in pieces. */
  text(text: string): void;
  /** The innermost open element closes (also right after `open` for `<empty/>`). */
  close(): void;
}

/** The document is not well-formed XML; `line` is 1-based. */
export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

/** A tag, comment, CDATA section or entity reference runs on past the scanner's `maxPending` characters. */
export class XmlMarkupTooLongError extends XmlSyntaxError {
  constructor(
    readonly limit: number,
    line: number,
  ) {
    super(`a tag, comment or CDATA section runs on past ${limit} characters`, line);
    this.name = 'XmlMarkupTooLongError';
  }
}

/** The document declares a DOCTYPE (refused: no entity may expand). */
export class XmlDoctypeError extends XmlSyntaxError {
  constructor(line: number) {
    super('DOCTYPE', line);
    this.name = 'XmlDoctypeError';
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * A streaming, non-validating XML tokenizer for record extraction, written for speed: text and
 * markup are found with `indexOf`, not a character-by-character state machine (saxes spent
 * most of the XML decoder's time there). It checks well-formedness as far as record
 * extraction depends on it — matching tags, one root element, names, attribute syntax,
 * entity references (only the five predefined ones and character references; any other is an
 * error) — and refuses a DOCTYPE, so no entity can expand. Incomplete markup at the end of a
 * chunk waits for the next one, up to `maxPending` characters.
 *
 * @example
 * const scanner = new XmlScanner(handler, 1 << 20);
 * for (const chunk of chunks) scanner.write(chunk);
 * scanner.close();
 */
export class XmlScanner {
  private carry = '';
  /** Newlines before the carry (the text already consumed). */
  private linesBefore = 0;
  /** Buffer being scanned and the position being handled, for {@link line}. */
  private buffer = '';
  private at = 0;
  private readonly stack: string[] = [];
  private rootSeen = false;

  constructor(
    private readonly handler: XmlHandler,
    private readonly maxPending: number,
  ) {}

  /** 1-based line of the markup or text being handled. */
  line(): number {
    return 1 + this.linesBefore + countNewlines(this.buffer, 0, this.at);
  }

  write(chunk: string): void {
    const s = this.carry.length > 0 ? this.carry + chunk : chunk;
    this.buffer = s;
    const end = this.scan(s);
    this.linesBefore += countNewlines(s, 0, end);
    this.carry = end === s.length ? '' : s.slice(end);
    this.buffer = '';
    this.at = 0;
    if (this.carry.length > this.maxPending) {
      this.buffer = this.carry;
      throw new XmlMarkupTooLongError(this.maxPending, this.line());
    }
  }

  /** Ends the document: everything opened must be closed. */
  close(): void {
    this.buffer = this.carry;
    if (this.carry.trim() !== '') throw this.error('the document ends inside markup');
    if (this.stack.length > 0) throw this.error(`the document ends before </${this.stack[this.stack.length - 1]}>`);
    if (!this.rootSeen) throw this.error('the document has no root element');
  }

  /** Handles everything complete in `s`; returns where the incomplete rest starts. */
  private scan(s: string): number {
    const n = s.length;
    let i = 0;
    while (i < n) {
      const lt = s.indexOf('<', i);
      if (lt === -1) {
        // Text up to the end: hand it over now, except a possibly cut entity reference.
        const amp = s.lastIndexOf('&');
        let cut = amp >= i && s.indexOf(';', amp) === -1 ? amp : n;
        // A CR at the cut may be the first half of a CR LF.
        if (cut > i && s.charCodeAt(cut - 1) === 13) cut--;
        if (cut > i) this.text(s, i, cut);
        return cut;
      }
      if (lt > i) this.text(s, i, lt);
      this.at = lt;
      const c = s.charCodeAt(lt + 1);
      let next: number;
      if (c === 47) next = this.closeTag(s, lt);
      else if (c === 33) next = this.bang(s, lt);
      else if (c === 63) {
        const end = s.indexOf('?>', lt + 2);
        next = end === -1 ? -1 : end + 2;
      } else if (lt + 1 >= n) next = -1;
      else next = this.openTag(s, lt);
      if (next === -1) return lt;
      i = next;
    }
    return n;
  }

  private text(s: string, from: number, to: number): void {
    this.at = from;
    if (this.stack.length === 0) {
      for (let i = from; i < to; i++) {
        const c = s.charCodeAt(i);
        if (c !== 32 && c !== 10 && c !== 13 && c !== 9) throw this.error('text outside the root element');
      }
      return;
    }
    const raw = lineEnds(s.slice(from, to));
    this.handler.text(raw.includes('&') ? this.decode(raw) : raw);
  }

  private closeTag(s: string, lt: number): number {
    const gt = s.indexOf('>', lt + 2);
    if (gt === -1) return -1;
    let nameEnd = gt;
    while (nameEnd > lt + 2 && isSpace(s.charCodeAt(nameEnd - 1))) nameEnd--;
    const name = s.slice(lt + 2, nameEnd);
    const open = this.stack.pop();
    if (open === undefined) throw this.error(`</${name}> closes no open element`);
    if (name !== open) throw this.error(`</${name}> closes <${open}>`);
    this.handler.close();
    return gt + 1;
  }

  /** Comments, CDATA sections, and the refused DOCTYPE. */
  private bang(s: string, lt: number): number {
    if (s.startsWith('<!--', lt)) {
      const end = s.indexOf('--', lt + 4);
      if (end === -1 || end + 2 >= s.length) return -1;
      if (s.charCodeAt(end + 2) !== 62) throw this.error('"--" inside a comment');
      return end + 3;
    }
    if (s.startsWith('<![CDATA[', lt)) {
      const end = s.indexOf(']]>', lt + 9);
      if (end === -1) return -1;
      if (this.stack.length === 0) throw this.error('CDATA outside the root element');
      this.handler.text(lineEnds(s.slice(lt + 9, end)));
      return end + 3;
    }
    if (s.startsWith('<!DOCTYPE', lt)) throw new XmlDoctypeError(this.line());
    if (s.length - lt < 9) {
      // Possibly the start of a comment, CDATA or DOCTYPE cut by the chunk end: wait for more.
      const start = s.slice(lt);
      if ('<!--'.startsWith(start) || '<![CDATA['.startsWith(start) || '<!DOCTYPE'.startsWith(start)) return -1;
    }
    throw this.error('unexpected "<!"');
  }

  private openTag(s: string, lt: number): number {
    const n = s.length;
    let i = lt + 1;
    let valid = isNameStart(s.charCodeAt(i));
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 62 || c === 47 || isSpace(c)) break;
      // Name characters are checked in the same pass: a regex per tag cost a tenth of the decoder.
      if (!isNameChar(c)) valid = false;
      i++;
    }
    if (i >= n) return -1;
    const name = s.slice(lt + 1, i);
    if (!valid) throw this.error(`"${name.slice(0, 60)}" is not an XML name`);
    let attributes: string[] | undefined;
    for (;;) {
      const spaced = i;
      while (i < n && isSpace(s.charCodeAt(i))) i++;
      if (i >= n) return -1;
      const c = s.charCodeAt(i);
      if (c === 62 || c === 47) {
        if (c === 47) {
          if (i + 1 >= n) return -1;
          if (s.charCodeAt(i + 1) !== 62) throw this.error(`"/" inside <${name}>`);
          i++;
        }
        this.openElement(name, attributes);
        if (c === 47) this.closeEmpty();
        return i + 1;
      }
      if (i === spaced) throw this.error(`attributes of <${name}> must be separated by spaces`);
      const start = i;
      while (i < n) {
        const a = s.charCodeAt(i);
        if (a === 61 || isSpace(a) || a === 62 || a === 47) break;
        i++;
      }
      const attribute = s.slice(start, i);
      while (i < n && isSpace(s.charCodeAt(i))) i++;
      if (i >= n) return -1;
      if (s.charCodeAt(i) !== 61) throw this.error(`attribute ${attribute} of <${name}> has no value`);
      i++;
      while (i < n && isSpace(s.charCodeAt(i))) i++;
      if (i >= n) return -1;
      const quote = s.charCodeAt(i);
      if (quote !== 34 && quote !== 39)
        throw this.error(`the value of attribute ${attribute} of <${name}> is not quoted`);
      const close = s.indexOf(quote === 34 ? '"' : "'", i + 1);
      if (close === -1) return -1;
      if (!isName(attribute)) throw this.error(`"${attribute.slice(0, 60)}" is not an XML name`);
      let value = s.slice(i + 1, close);
      if (value.includes('<')) throw this.error(`"<" in the value of attribute ${attribute} of <${name}>`);
      // Attribute-value normalisation (XML 1.0 §3.3.3): a literal tab or line break reads as a space
      // (before references are replaced, so &#10; stays a line break).
      if (/[\t\n\r]/.test(value)) value = value.replace(/\r\n|[\t\n\r]/g, ' ');
      if (value.includes('&')) value = this.decode(value);
      attributes ??= [];
      for (let k = 0; k < attributes.length; k += 2)
        if (attributes[k] === attribute) throw this.error(`attribute ${attribute} appears twice in <${name}>`);
      attributes.push(attribute, value);
      i = close + 1;
    }
  }

  private openElement(name: string, attributes: string[] | undefined): void {
    if (this.stack.length === 0) {
      if (this.rootSeen) throw this.error(`<${name}> is a second root element`);
      this.rootSeen = true;
    }
    this.stack.push(name);
    this.handler.open(name, attributes);
  }

  private closeEmpty(): void {
    this.stack.pop();
    this.handler.close();
  }

  /** Replaces entity references; any but the predefined five and character references is an error. */
  private decode(text: string): string {
    let out = '';
    let from = 0;
    for (let amp = text.indexOf('&'); amp !== -1; amp = text.indexOf('&', from)) {
      const semi = text.indexOf(';', amp + 1);
      const ref = semi === -1 ? text.slice(amp + 1, amp + 12) : text.slice(amp + 1, semi);
      let value: string | undefined;
      if (semi !== -1 && ref.charCodeAt(0) === 35) {
        const code =
          ref.charCodeAt(1) === 120
            ? /^x[0-9a-fA-F]{1,6}$/.test(ref.slice(1))
              ? parseInt(ref.slice(2), 16)
              : NaN
            : /^[0-9]{1,7}$/.test(ref.slice(1))
              ? Number(ref.slice(1))
              : NaN;
        if (isXmlChar(code)) value = String.fromCodePoint(code);
      } else if (semi !== -1) value = Object.hasOwn(ENTITIES, ref) ? ENTITIES[ref] : undefined;
      if (value === undefined) throw this.error(`undefined entity &${ref};`);
      out += text.slice(from, amp) + value;
      from = semi + 1;
    }
    return out + text.slice(from);
  }

  private error(message: string): XmlSyntaxError {
    return new XmlSyntaxError(message, this.line());
  }
}

/** NameStartChar of XML 1.0, simplified above U+00BF to any character but × and ÷. */
function isNameStart(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7)
  );
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 0xb7;
}

function isName(text: string): boolean {
  if (text.length === 0 || !isNameStart(text.charCodeAt(0))) return false;
  for (let i = 1; i < text.length; i++) if (!isNameChar(text.charCodeAt(i))) return false;
  return true;
}

/** End-of-line handling (XML 1.0 §2.11): CR LF and a lone CR read as LF. */
function lineEnds(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF] */
function isXmlChar(code: number): boolean {
  return (
    code === 9 ||
    code === 10 ||
    code === 13 ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

function countNewlines(text: string, from: number, end: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at !== -1 && at < end; at = text.indexOf('\n', at + 1)) count++;
  return count;
}
