import { sampleBundle } from './sample-bundle.js';
import { validateBundle } from './validate-bundle.js';

/**
 * Loads the R4 definitions and compiles the FHIRPath invariants now rather than on the first
 * validation (about half a second); a server calls this at start so no request pays for it.
 */
export function preloadValidator(): void {
  validateBundle(sampleBundle(), { ig: '1.0.7' });
  validateBundle(sampleBundle(), { ig: '1.1' });
}
