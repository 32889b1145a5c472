export * from './startDemoApi';
export * from './credentials';
export * from './dataset';
export * from './faults';
export * from './reportRecords';
export * from './platformFailures';
