#!/usr/bin/env node
// Entry point of the `lmdi` command; the compiled CLI lives in dist/ (built by `npm ci` via `prepare`).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv);
