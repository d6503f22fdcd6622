#!/usr/bin/env node
// Entry point for `npx cmpv2-operator`: runs the CLI bundle (dist/bundle/, built by `npm run build`,
// which `npm ci` runs via `prepare`). One bundle with a chunk per command starts about twice as fast
// as node resolving the compiled modules of dist/ one by one.
import { main } from '../dist/bundle/main.js';

process.exitCode = await main(process.argv);
