import type { CursorKey, RunStateStore } from '../../shared/ports/RunStateStore';

const MAX_ATTEMPTS = 5;

/**
 * Moves an incremental cursor forward after a load, never backward: a replayed older batch must
 * not rewind it. Values compare as numbers when both are numeric, else as strings (ISO dates and
 * timestamps sort correctly). Uses the store's compare-and-set so concurrent loaders never lose
 * the newest value. Returns whether this call wrote the cursor.
 */
export async function advanceCursor(
  runState: RunStateStore,
  key: CursorKey,
  value: string,
  runId: string,
): Promise<boolean> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await runState.getCursor(key);
    if (current && !isNewer(value, current.value)) return false;
    if (await runState.putCursor({ ...key, value, runId }, current?.value ?? null)) return true;
  }
  throw new Error(
    `cursor ${key.client}/${key.source}/${key.stream}/${key.partition} kept changing under ${MAX_ATTEMPTS} attempts to advance it; the message will be retried`,
  );
}

function isNewer(candidate: string, current: string): boolean {
  const numeric = /^-?\d+(\.\d+)?$/;
  if (numeric.test(candidate) && numeric.test(current)) return Number(candidate) > Number(current);
  return candidate > current;
}
