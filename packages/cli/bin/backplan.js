#!/usr/bin/env node
// The `backplan` command: runs the esbuild bundle (one file, fast cold start).
import '../dist/backplan.mjs';
