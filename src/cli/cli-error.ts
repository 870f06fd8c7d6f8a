import { LmdiError } from '../errors/index.js';

export type CliErrorCode = 'INPUT_UNREADABLE' | 'INPUT_NOT_JSON' | 'OPTION_INVALID' | 'CONFIG_INVALID';

export class CliError extends LmdiError<CliErrorCode> {}
