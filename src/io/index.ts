export { writeFileAtomic, writeSecretFile, type WriteOptions } from './files.js';
export { temporaryPathBeside, writeAtomically } from './atomic-output.js';
