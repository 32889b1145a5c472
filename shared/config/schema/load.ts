import { z } from 'zod';
import { identifier } from './common';

/** Warehouse load options (owned by the loader). */
export const load = z
  .strictObject({
    table: identifier.describe('Target table in the client schema.'),
    mode: z.enum(['append', 'merge']).default('append').describe('append: insert every row; merge: replace rows with the same primary key.'),
  })
  .describe('Where and how the stream lands in the warehouse.');
