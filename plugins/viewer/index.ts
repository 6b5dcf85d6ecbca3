// The run viewer plugin-room: reads evaluate stages' judgments (judgment-reader.ts) for `gramr judgments` and serves
// a run as a small web page for `gramr view`. The commands load it by path at run time (core has no static import).
export * from './judgment-reader.js';
export * from './format-judgments.js';
export * from './run-index.js';
export * from './view-server.js';
