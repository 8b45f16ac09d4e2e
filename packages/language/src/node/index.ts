export * from './workspace-loader.js';
