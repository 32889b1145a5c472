export { renderRunReport, type RunReportOptions } from './renderRunReport';
export { renderTimeline } from './renderTimeline';
export { tableCounts, type TableCounts } from './tableCounts';
export { escapeHtml } from './escapeHtml';
export { STAGE_STYLES, STAGE_ORDER, type StageStyle } from './stageStyle';
