export * from './remote-quote.js';
export * from './remote-scripts.js';
export * from './ssh-connection.js';
export * from './ssh-errors.js';
export * from './ssh-host.js';
