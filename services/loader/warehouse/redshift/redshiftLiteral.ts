import { InvalidLoadRequestError } from '../../errors';

/**
 * What may appear inside a quoted Redshift literal that cannot be a bound parameter (COPY's
 * source and role, the batch id inside a BatchExecuteStatement). Redshift treats a backslash in a
 * literal as an escape, so rather than escaping, anything outside a conservative alphabet is
 * refused with a clear error.
 */
const SAFE: Record<string, RegExp> = {
  'batch id': /^[A-Za-z0-9_.:=-]{1,256}$/,
  'manifest URI': /^s3:\/\/[a-z0-9][a-z0-9.-]{1,62}\/[A-Za-z0-9!_.*()=,/:+@-]{1,1024}$/,
  'IAM role ARN': /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/,
  'table name': /^[a-z_][a-z0-9_]{0,62}\.[a-z_][a-z0-9_]{0,62}$/,
  'partition bound': /^[A-Za-z0-9 :.+_-]{1,64}$/,
  'item id': /^[A-Za-z0-9_.:=-]{1,256}$/,
  'extraction time': /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00$/,
};

/** Quotes `value` as a Redshift string literal after checking it against the alphabet of `what`. */
export function redshiftLiteral(value: string, what: keyof typeof SAFE & string): string {
  const pattern = SAFE[what];
  if (!pattern || !pattern.test(value)) {
    throw new InvalidLoadRequestError(
      `${what} "${value}" contains characters DIF does not put into Redshift SQL (allowed: ${pattern?.source ?? 'none'})`,
    );
  }
  return `'${value}'`;
}
