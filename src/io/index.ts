export { writeFileAtomic, writeSecretFile, type WriteOptions } from './files.js';
