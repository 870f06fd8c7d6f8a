/**
 * Validation benchmark: bundles of 1,000 / 10,000 / 100,000 administrations (plus the patients,
 * encounters, medications, requests, organisations and practitioners they reference), each in its
 * own child process so peak RSS is per size. Reports entries (resources) per second on one core,
 * peak RSS, and the ratio of validation time to JSON.parse of the same text in the same process.
 *
 *   npm run bench:validate              all sizes
 *   npm run bench:validate -- 1000      chosen sizes
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { sampleBundle, validateBundle } from '../src/fhir/index.js';
import { generateBundle } from './generate-bundle.js';

const SIZES = [1_000, 10_000, 100_000];

interface Measurement {
  administrations: number;
  entries: number;
  megabytes: number;
  definitionsMs: number;
  parseMs: number;
  validateMs: number;
  /** CPU time (user + system) of the first validation: robust when other processes share the machine. */
  validateCpuMs: number;
  parseCpuMs: number;
  /** A second validation of the same parsed bundle, with the JIT warm. */
  warmValidateMs: number;
  issues: number;
  peakRssMb: number;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

function child(administrations: number): Measurement {
  // Load the R4 definitions and compile the rules once, outside the timed run (a server does this at start).
  let start = performance.now();
  validateBundle(sampleBundle());
  const definitionsMs = performance.now() - start;

  const text = JSON.stringify(generateBundle(administrations));

  start = performance.now();
  let cpu = process.cpuUsage();
  const bundle = JSON.parse(text) as { entry: unknown[] };
  const parseCpuMs = cpuMs(cpu);
  const parseMs = performance.now() - start;

  start = performance.now();
  cpu = process.cpuUsage();
  const result = validateBundle(bundle);
  const validateCpuMs = cpuMs(cpu);
  const validateMs = performance.now() - start;

  start = performance.now();
  validateBundle(bundle);
  const warmValidateMs = performance.now() - start;

  return {
    administrations,
    entries: bundle.entry.length,
    megabytes: Buffer.byteLength(text) / 1e6,
    definitionsMs,
    parseMs,
    validateMs,
    validateCpuMs,
    parseCpuMs,
    warmValidateMs,
    issues: result.issues.length,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

function parent(sizes: number[]): void {
  const script = fileURLToPath(import.meta.url);
  console.log('administrations  entries  JSON MB  parse ms  validate ms  entries/s  validate/parse  CPU ms  entries/CPU-s  CPU validate/parse  warm ms  warm entries/s  peak RSS MB  issues');

  for (const size of sizes) {
    const run = spawnSync(process.execPath, ['--max-old-space-size=4096', script, '--child', String(size)], { encoding: 'utf8' });
    if (run.status !== 0) {
      console.error(run.stderr);
      process.exitCode = 1;
      return;
    }
    const m = JSON.parse(run.stdout) as Measurement;
    const perSecond = Math.round(m.entries / (m.validateMs / 1000));
    console.log(
      [
        String(m.administrations).padStart(15),
        String(m.entries).padStart(8),
        m.megabytes.toFixed(1).padStart(8),
        m.parseMs.toFixed(0).padStart(9),
        m.validateMs.toFixed(0).padStart(12),
        String(perSecond).padStart(10),
        `${(m.validateMs / m.parseMs).toFixed(1)}x`.padStart(15),
        m.validateCpuMs.toFixed(0).padStart(7),
        String(Math.round(m.entries / (m.validateCpuMs / 1000))).padStart(14),
        `${(m.validateCpuMs / m.parseCpuMs).toFixed(1)}x`.padStart(19),
        m.warmValidateMs.toFixed(0).padStart(8),
        String(Math.round(m.entries / (m.warmValidateMs / 1000))).padStart(14),
        m.peakRssMb.toFixed(0).padStart(12),
        String(m.issues).padStart(7),
      ].join(' '),
    );
  }
  console.log('entries/s: first validation of the bundle (wall clock); CPU: the same run in CPU time (user+system, includes GC threads);');
  console.log('warm: the same parsed bundle validated again in the same process.');
  console.log('The one-time load of the R4 definitions is excluded (printed as definitionsMs by --child N).');
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  process.stdout.write(JSON.stringify(child(Number(args[1]))));
} else {
  parent(args.length > 0 ? args.map(Number) : SIZES);
}
