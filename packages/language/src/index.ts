export * from './backplan-module.js';
export * from './generated/ast.js';
export * from './model/index.js';
export * from './validation/rule-codes.js';
export type { RunbookGraph } from './workspace/runbook-graph.js';
