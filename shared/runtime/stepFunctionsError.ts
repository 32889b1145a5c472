import { isPermanent } from './errors';

/**
 * Names a thrown error the way the state machine's Retry/Catch expect (Lambda reports
 * `error.name` as the Step Functions error):
 * - a {@link PermanentError} or an error with a dotted `code` gets that code, prefixed with the
 *   state when bare (`HttpError` thrown by Extract → `Extract.HttpError`);
 * - any other error becomes `{State}.Transient` (network blips, throttling of AWS calls), which
 *   the ASL may retry.
 *
 * Shared by the Lambda wrappers and the local runtime so both name errors alike.
 */
export function stepFunctionsError(state: string, error: unknown): unknown {
  // Already named for the ASL (`Extract.HttpError`, even when StartJob threw it): keep the name.
  if (!(error instanceof Error) || /^[A-Z]\w*\.\w+$/.test(error.name)) return error;
  const code = isPermanent(error) ? error.code : (error as { code?: unknown }).code;
  if (isPermanent(error) || (typeof code === 'string' && code.includes('.'))) {
    error.name = String(code).includes('.') ? String(code) : `${state}.${String(code)}`;
  } else {
    error.name = `${state}.Transient`;
  }
  return error;
}
