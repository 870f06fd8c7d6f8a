export {
  SqliteStore,
  type RegisteredSender,
  type IncomingMessage,
  type StoreResult,
} from './sqlite-store.js';
