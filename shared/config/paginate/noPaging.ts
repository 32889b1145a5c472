import { z } from 'zod';
import type { PaginatorStyle } from './types';

const schema = z.strictObject({ type: z.literal('none').describe('A single request returns everything.') });

/** `paginate: { type: none }`: one request. */
export const noPaging: PaginatorStyle<typeof schema> = {
  schema,
  reads: () => 'nothing',
  endsOnEmptyPage: false,
  variables: [],
  create: () => ({ first: () => ({ page: {} }), next: () => undefined }),
};
