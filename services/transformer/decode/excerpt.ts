/** Longest excerpt of a bad record kept in quarantine and error messages. */
export const EXCERPT_CHARS = 2000;

/** The text, cut to {@link EXCERPT_CHARS} with an ellipsis, so a huge bad record stays readable. */
export function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}
