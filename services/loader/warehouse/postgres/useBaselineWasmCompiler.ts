import { setFlagsFromString } from 'node:v8';

let applied = false;

/**
 * Compiles WebAssembly (PGlite's PostgreSQL, 8.7 MB of it) with V8's baseline compiler only.
 * By default V8 also recompiles hot functions with its optimizing compiler in the background:
 * on a local run that cost ~70 MB of peak resident memory, a second core, and a few hundred ms at
 * close (pending compilations), while queries of local sizes ran no slower without it (a 1-million
 * row aggregate took the same time). The flag is process-wide and must be set before the module is
 * compiled; the local CLI process holds no other WebAssembly.
 *
 * @example
 * useBaselineWasmCompiler();
 * const db = new PGlite(dataDir);
 */
export function useBaselineWasmCompiler(): void {
  if (applied) return;
  setFlagsFromString('--liftoff-only');
  applied = true;
}
