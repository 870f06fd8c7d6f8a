export {
  SqliteStore,
  type RegisteredSender,
  type IncomingMessage,
  type StoreResult,
} from './sqlite-store.js';
export { StoreError, type StoreErrorCode } from './store-error.js';
