import { LmdiError } from '../errors/index.js';

export type StoreErrorCode = 'MESSAGE_ID_REUSED';

export class StoreError extends LmdiError<StoreErrorCode> {}
