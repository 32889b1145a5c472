// Preloaded into a benchmarked process (NODE_OPTIONS=--import …/memoryProbe.mjs, DIF_MEMORY_PROBE_DIR
// set): samples process.memoryUsage() and writes, when the process exits, what its resident memory
// was made of at its peak. Plain JavaScript, so it loads before any TypeScript tooling does.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setInterval } from 'node:timers';

const dir = process.env.DIF_MEMORY_PROBE_DIR;
if (dir) {
  let peak = process.memoryUsage();
  const sample = () => {
    const now = process.memoryUsage();
    if (now.rss > peak.rss) peak = now;
  };
  setInterval(sample, 25).unref();
  process.on('exit', () => {
    sample();
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    const mb = (bytes) => Math.round(bytes / 1048576);
    const report = {
      pid: process.pid,
      argv: process.argv.slice(1).join(' '),
      vm_hwm_mb: Math.round(kb('VmHWM') / 1024),
      at_peak_mb: {
        rss: mb(peak.rss),
        v8_heap_total: mb(peak.heapTotal),
        v8_heap_used: mb(peak.heapUsed),
        // External memory V8 knows of: ArrayBuffers and WebAssembly memories (reserved size, not resident).
        external: mb(peak.external),
        array_buffers: mb(peak.arrayBuffers),
      },
      at_exit_mb: { rss_anon: Math.round(kb('RssAnon') / 1024), rss_file: Math.round(kb('RssFile') / 1024) },
      // CPU time does not stretch with the machine's load as wall time does.
      cpu_s: Number(((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(2)),
    };
    writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify(report));
  });
}
