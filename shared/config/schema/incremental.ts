import { z } from 'zod';
import { templated } from './common';

export const incremental = z
  .strictObject({
    cursor_field: z
      .string()
      .regex(/^[\w-]+(\.[\w-]+)*$/)
      .describe('Record field whose largest value becomes the next cursor. Example: updated_time'),
    start: templated.describe(
      'Cursor on the first run; templates read it as {{ cursor }}. Example: "{{ client.start_date }}"',
    ),
  })
  .describe('Incremental extraction: {{ cursor }} is the last loaded value (advanced only after the load commits).');
