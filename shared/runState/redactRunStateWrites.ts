import { redact, redactDeep } from '../log/secretRedactor';
import type { RunStateStore } from '../ports/RunStateStore';

/**
 * Makes a run-state store scrub every registered secret, in any encoding, from the texts it is
 * given to keep: an item's `error`, and a run's `summary` (failure causes, warnings). Errors carry
 * excerpts of what APIs answered, and an API may echo a token back; whatever a stage forgot to
 * redact is caught here, before it reaches state.db or DynamoDB. Returns the same store.
 *
 * @example
 * const runState = redactRunStateWrites(SqliteRunStateStore.open('.dif/state.db'));
 */
export function redactRunStateWrites<T extends RunStateStore>(store: T): T {
  const updateItem = store.updateItem.bind(store);
  const updateRun = store.updateRun.bind(store);
  store.updateItem = (runId, itemId, patch) =>
    updateItem(runId, itemId, typeof patch.error === 'string' ? { ...patch, error: redact(patch.error) } : patch);
  store.updateRun = (runId, patch) =>
    updateRun(runId, patch.summary === undefined ? patch : { ...patch, summary: redactDeep(patch.summary) });
  return store;
}
