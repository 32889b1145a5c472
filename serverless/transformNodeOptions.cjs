// Node options of the transform Lambda. bench:transform runs its measurements with the same heap
// options, so the figures it prints are those of the deployed function.
// serverless.yml: functions.transform.environment.NODE_OPTIONS: ${file(serverless/transformNodeOptions.cjs):nodeOptions}
/* global module */
'use strict';

/**
 * A heap limit under 2 GiB puts V8 in its memory-constrained mode (old-space growth factor
 * about 1.8 instead of 4), and a fixed semi-space keeps the young generation the same size from
 * the first second. Measured with bench:transform on 1M-row JSON lines: peak RSS 88 MB at 100 MB
 * of input and 93 MB at 2 GB, where the defaults on a large host gave 101 and 134–175 MB.
 * 1536 MiB leaves half of the 3008 MB function for buffers, zlib and the dedupe key map.
 *
 * 16 MiB semi-spaces, not 4: with 4, scavenges took a fifth of a 1M-row CSV transform (1,900 of
 * them, 1.5 ms each: each 16 KiB batch's records outlived a 4 MiB nursery). With 16 the same run
 * took 9.4–11.3 CPU-s instead of 13.1–14.6 (8 MiB: 11.3–11.7), JSON lines and XML 0–4% less,
 * for about 25 MB more peak RSS (115–128 MB instead of 97).
 */
const heapOptions = '--max-old-space-size=1536 --max-semi-space-size=16';

function nodeOptions() {
  return `--enable-source-maps ${heapOptions}`;
}

module.exports = { heapOptions, nodeOptions };
