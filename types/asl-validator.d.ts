// asl-validator ships JavaScript only; this is the part of its API DIF uses.
declare module 'asl-validator' {
  interface AslValidationResult {
    isValid: boolean;
    errors: unknown[];
    errorsText: (separator?: string) => string;
  }
  export default function validator(definition: unknown, options?: Record<string, unknown>): AslValidationResult;
}
