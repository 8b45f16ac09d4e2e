export * from './coverage.js';
export * from './declarations.js';
export * from './exclude-pattern.js';
export * from './host-spec.js';
export * from './runbook-model.js';
export * from './duration.js';
export * from './notify-model.js';
export * from './cron-schedule.js';
