import { execFileSync } from 'node:child_process';

/** Builds dist/ once before the suite: the tests that run `bin/lmdi.js` as a process need it. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
