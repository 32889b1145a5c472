// One EventBridge schedule per client that has `schedule:` in clients/*.yml, each starting one
// execution of the ingest state machine for that client (DESIGN.md §8: one execution per client
// per schedule keeps each execution far below the 25,000-event history limit).
// serverless.yml: stepFunctions.stateMachines.ingest.events: ${file(serverless/schedules.cjs):events}
/* global require, module, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- serverless.yml's file() loads CommonJS */
'use strict';
const { join } = require('node:path');
const { readClients } = require('./clients.cjs');

const SCHEDULE_EXPRESSION = /^(cron\(.+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/;

async function events({ resolveVariable }) {
  const stage = await resolveVariable('sls:stage');
  const root = join(__dirname, '..');
  return readClients(root)
    .filter((entry) => entry.schedule)
    .map((entry) => {
      if (!SCHEDULE_EXPRESSION.test(entry.schedule)) {
        throw new Error(
          `${entry.file}: schedule "${entry.schedule}" is not an EventBridge expression, e.g. cron(0 */6 * * ? *) or rate(6 hours)`,
        );
      }
      return {
        schedule: {
          name: `dif-${stage}-${entry.client}`.slice(0, 64),
          description: `DIF ${stage}: ingest ${entry.client} (${entry.file})`,
          rate: entry.schedule,
          enabled: true,
          input: { client: entry.client, trigger: { by: 'schedule', client: entry.client } },
        },
      };
    });
}

module.exports = { events };
