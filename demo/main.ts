import '../shared/runtime/polyfills';
import { startDemoApi } from './startDemoApi';

/**
 * Runs the demo API standalone: `tsx demo/main.ts [port]`. Stops on Ctrl-C.
 * `DIF_DEMO_PLATFORM_FAILURES=1` switches on the platform failures of demo/platformFailures.ts.
 */
const port = Number(process.argv[2] ?? process.env.DIF_DEMO_API_PORT ?? 0);
const api = await startDemoApi({ port, platformFailures: process.env.DIF_DEMO_PLATFORM_FAILURES === '1' });
console.log(`demo API listening on ${api.url} (export DIF_DEMO_API_URL=${api.url})`);
const stop = (): void => {
  api.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
