import { isPermanent } from './errors';

/**
 * The one name an error gets where it crosses into the ASL or run state (`{State}.{Code}` or
 * `{State}.Transient`, docs/pipeline-contracts.md):
 * - an error already named for the ASL (`Extract.HttpError`, even when StartJob threw it) keeps it;
 * - a {@link PermanentError} or an error with a `code` gets that code, prefixed with the state only
 *   when bare (`UnknownClient` thrown by Plan → `Plan.UnknownClient`; `Transform.RejectThreshold`
 *   stays as it is, never `Transform.Transform.RejectThreshold`);
 * - any other error is `{State}.Transient` (network blips, throttling of AWS calls), which the ASL
 *   may retry; or `{State}.RetriesExhausted` when a queue consumer gives up on it after its last
 *   allowed receive (`retriesExhausted`).
 *
 * @example
 * stepFunctionsErrorName('Transform', new RejectThresholdError('…')); // 'Transform.RejectThreshold'
 * stepFunctionsErrorName('Load', new Error('socket hang up')); // 'Load.Transient'
 * stepFunctionsErrorName('Load', new Error('socket hang up'), { retriesExhausted: true }); // 'Load.RetriesExhausted'
 */
export function stepFunctionsErrorName(
  state: string,
  error: unknown,
  options: { retriesExhausted?: boolean } = {},
): string {
  if (options.retriesExhausted) return `${state}.RetriesExhausted`;
  if (error instanceof Error && isAslName(error.name)) return error.name;
  const code = isPermanent(error) ? error.code : (error as { code?: unknown } | undefined)?.code;
  if (isPermanent(error) || (typeof code === 'string' && code.includes('.'))) {
    const text = String(code);
    return isAslName(text) ? text : `${state}.${text}`;
  }
  return `${state}.Transient`;
}

/**
 * Names a thrown error the way the state machine's Retry/Catch expect (Lambda reports
 * `error.name` as the Step Functions error), by {@link stepFunctionsErrorName}. Shared by the
 * Lambda wrappers and the local runtime so both name errors alike.
 */
export function stepFunctionsError(state: string, error: unknown): unknown {
  if (error instanceof Error) error.name = stepFunctionsErrorName(state, error);
  return error;
}

function isAslName(name: string): boolean {
  return /^[A-Z]\w*\.\w+$/.test(name);
}
