/** Longest tail kept between chunks: enough for a start tag cut in two (prefix, name, delimiter). */
const MAX_CARRY = 512;

/**
 * Counts the start tags of one element (`<row>`, `<ns:row a="1">`, `<row/>`) in an XML body as
 * it streams, so that page-number paging over XML can see an empty page. It is a paging signal,
 * not the record count the transformer reports: a tag inside a comment or CDATA counts too.
 *
 * @example
 * const counter = new XmlRecordCounter('campaign');
 * counter.push(Buffer.from('<campaigns><campaign id="1"/><camp'));
 * counter.push(Buffer.from('aign id="2"/></campaigns>'));
 * counter.count; // 2
 */
export class XmlRecordCounter {
  private carry = '';
  private seen = 0;
  private readonly pattern: RegExp;

  constructor(element: string) {
    const name = element.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.pattern = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${name}(?=[\\s/>])`, 'g');
  }

  push(chunk: Buffer): void {
    // latin1 maps bytes 1:1, so a multi-byte character cut between chunks cannot hide a tag.
    const text = this.carry + chunk.toString('latin1');
    let lastEnd = 0;
    for (const match of text.matchAll(this.pattern)) {
      this.seen += 1;
      lastEnd = match.index + match[0].length;
    }
    const open = text.lastIndexOf('<');
    this.carry = open >= lastEnd && text.length - open <= MAX_CARRY ? text.slice(open) : '';
  }

  get count(): number {
    return this.seen;
  }
}
