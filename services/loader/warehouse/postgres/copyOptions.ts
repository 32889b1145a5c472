/** COPY options for clean CSV parts (docs/pipeline-contracts.md): the header must name the columns. */
export const CSV_COPY_OPTIONS = `FORMAT csv, HEADER MATCH, NULL '\\N'`;

/** The same without the header, for the continuation chunks of a part split by PGlite. */
export const CSV_COPY_OPTIONS_NO_HEADER = `FORMAT csv, HEADER false, NULL '\\N'`;

/** PostgreSQL before 15 has no HEADER MATCH: it skips the header line without checking it. */
export const CSV_COPY_OPTIONS_PG14 = `FORMAT csv, HEADER true, NULL '\\N'`;
