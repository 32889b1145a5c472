// One CloudWatch alarm per client with `sla.fresh_within` in clients/*.yml: it fires when the
// loader has delivered nothing for that client within the promised window (metric DIF/ItemsLoaded,
// emitted per loaded item by profiles/aws/functions/load.ts).
// serverless.yml: resources: - ${file(serverless/freshnessAlarms.cjs):resources}
/* global require, module, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- serverless.yml's file() loads CommonJS */
'use strict';
const { join } = require('node:path');
const { readClients, durationSeconds } = require('./clients.cjs');

// CloudWatch: period × evaluation periods may not exceed 7 days; periods of an hour or more must
// be multiples of an hour.
const HOUR = 3600;
const MAX_WINDOW = 7 * 24 * HOUR;

function logicalId(client) {
  return `FreshnessAlarm${client.replace(/(^|[-_])([a-z0-9])/gi, (_, __, c) => c.toUpperCase())}`;
}

async function resources({ resolveVariable }) {
  const stage = await resolveVariable('sls:stage');
  const alarms = {};
  for (const entry of readClients(join(__dirname, '..'))) {
    if (!entry.freshWithin) continue;
    const window = durationSeconds(entry.freshWithin, entry.file);
    if (window > MAX_WINDOW)
      throw new Error(
        `${entry.file}: sla.fresh_within ${entry.freshWithin} exceeds the 7 days a CloudWatch alarm can look back`,
      );
    const period = window >= HOUR ? HOUR : Math.max(60, Math.ceil(window / 60) * 60);
    alarms[logicalId(entry.client)] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: `dif-${stage}-freshness-${entry.client}`,
        AlarmDescription: `No ${entry.client} data loaded within ${entry.freshWithin} (sla.fresh_within in ${entry.file}). See docs/operating.md#data-is-late.`,
        Namespace: 'DIF',
        MetricName: 'ItemsLoaded',
        Dimensions: [
          { Name: 'service', Value: 'dif' },
          { Name: 'client', Value: entry.client },
        ],
        Statistic: 'Sum',
        Period: period,
        EvaluationPeriods: Math.max(1, Math.ceil(window / period)),
        DatapointsToAlarm: Math.max(1, Math.ceil(window / period)),
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
      },
    };
  }
  return { Resources: alarms };
}

module.exports = { resources };
