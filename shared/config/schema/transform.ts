import { z } from 'zod';

/** Record pipeline options (owned by the transformer). */
export const transform = z.strictObject({}).describe('How records are cleaned before they are typed and written.');
