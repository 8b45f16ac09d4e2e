export * from './coverage.js';
export * from './declarations.js';
export * from './host-spec.js';
export * from './runbook-model.js';
export * from './coverage-risk.js';
export * from './name-list.js';
