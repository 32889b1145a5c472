/** PostgreSQL's type OID of DATE. */
export const DATE_OID = 1082;

/**
 * A DATE read back from the warehouse stays `YYYY-MM-DD` text: turned into a JS Date it would
 * print as a UTC midnight timestamp, which is not what was loaded.
 */
export const keepDateText = (value: string): string => value;
