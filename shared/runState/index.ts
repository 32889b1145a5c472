export * from './tallyItems';
export * from './emptyItemsWarning';
export * from './redactRunStateWrites';
export * from './runStatusAt';
export * from './itemStages';
export * from './itemProgress';
