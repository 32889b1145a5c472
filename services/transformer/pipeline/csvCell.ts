import { Rejection } from './Rejection';

/** The NULL marker of clean CSV parts (docs/pipeline-contracts.md): unquoted `\N`. */
export const NULL_CELL = '\\N';

const NUL_REJECTION = new Rejection('text contains a NUL character (U+0000), which the warehouse cannot store');

/**
 * Writes a text value as one RFC 4180 cell: quoted when it holds a comma, quote, CR or LF, when
 * it is empty (so it differs from NULL) or when it is literally `\N` (so it is not read as NULL).
 * One pass over the characters; no regular expression per field.
 */
export function textCell(text: string): string | Rejection {
  const length = text.length;
  if (length === 0) return '""';
  let quote = false;
  let hasQuote = false;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < 45) {
      if (c === 44 || c === 10 || c === 13) quote = true;
      else if (c === 34) hasQuote = quote = true;
      else if (c === 0) return NUL_REJECTION;
    }
  }
  if (!quote) return length === 2 && text === NULL_CELL ? '"\\N"' : text;
  return hasQuote ? `"${text.replaceAll('"', '""')}"` : `"${text}"`;
}
