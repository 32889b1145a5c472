// Types of bin/cliBundle.mjs (plain JavaScript: it runs before any TypeScript can), for the tests.

export interface InputRecord {
  size: number;
  mtimeMs: number;
  sha256: string;
}

export interface CliBundleManifest {
  entry: string;
  files: Record<string, InputRecord>;
}

export const PROJECT_ROOT: string;
export const CLI_BUNDLE_DIR: string;
export const CLI_ENTRY: string;
export function manifestOf(root: string, inputs: string[]): CliBundleManifest;
export function manifestPath(bundleDir: string): string;
export function bundleStaleness(bundleDir?: string, root?: string): string | undefined;
