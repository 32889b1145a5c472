// Node options of the transform Lambda. bench:transform runs its measurements with the same heap
// options, so the figures it prints are those of the deployed function.
// serverless.yml: functions.transform.environment.NODE_OPTIONS: ${file(serverless/transformNodeOptions.cjs):nodeOptions}
/* global module */
'use strict';

/**
 * A heap limit under 2 GiB puts V8 in its memory-constrained mode (old-space growth factor
 * about 1.8 instead of 4), and a 4 MiB semi-space keeps the young generation the same size from
 * the first second. Measured with bench:transform on 1M-row JSON lines: peak RSS 88 MB at 100 MB
 * of input and 93 MB at 2 GB, where the defaults on a large host gave 101 and 134–175 MB.
 * Throughput did not drop (2 GB in 31 s instead of 32–37 s). 1536 MiB leaves half of the 3008 MB
 * function for buffers, zlib and the dedupe key map.
 */
const heapOptions = '--max-old-space-size=1536 --max-semi-space-size=4';

function nodeOptions() {
  return `--enable-source-maps ${heapOptions}`;
}

module.exports = { heapOptions, nodeOptions };
