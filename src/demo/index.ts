export { runDemo, type DemoOptions, type DemoResult } from './run-demo.js';
export { DemoError, type DemoErrorCode } from './demo-error.js';
export { openWorkspace, type DemoWorkspace } from './workspace.js';
