#!/usr/bin/env node
// Entry point for `npx cmpv2-operator`; the compiled CLI lives in dist/ (built by `npm ci` via `prepare`).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv);
