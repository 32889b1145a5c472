// Reads clients/*.yml for the deployment: which clients have a schedule and a freshness SLA.
// Only the two fields the template needs are read here; `dif validate` checks the full schema.
/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- serverless.yml's file() loads CommonJS */
'use strict';
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { parse } = require('yaml');

/** @returns {{ client: string, file: string, schedule?: string, freshWithin?: string }[]} */
function readClients(root) {
  const dir = join(root, 'clients');
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => {
      const file = join('clients', name);
      const doc = parse(readFileSync(join(dir, name), 'utf8')) ?? {};
      if (typeof doc.client !== 'string' || !/^[a-z0-9_-]+$/i.test(doc.client)) {
        throw new Error(
          `${file}: "client" must be a name of letters, digits, _ or - (it names the schedule rule and alarms)`,
        );
      }
      return { client: doc.client, file, schedule: doc.schedule, freshWithin: doc.sla && doc.sla.fresh_within };
    });
}

/** Seconds in a short duration like `90m`, `12h`, `2d` (the config schema's shortDuration). */
function durationSeconds(text, where) {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(String(text).trim());
  if (!match) throw new Error(`${where}: sla.fresh_within "${text}" is not a duration like 12h or 2d`);
  return Number(match[1]) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[match[2]];
}

module.exports = { readClients, durationSeconds };
