import pg from 'pg';
import { DATE_OID, keepDateText } from './dateAsText';

// Its own file so that PGlite's warehouse, which shares dateAsText, does not load the pg driver.
/** pg type parsers with {@link keepDateText} for DATE, the driver's defaults otherwise. */
export const pgTypesWithDateText = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === DATE_OID ? keepDateText : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};
