export { LmdiError, isLmdiError } from './lmdi-error.js';
