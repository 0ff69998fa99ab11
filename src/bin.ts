#!/usr/bin/env node
// The `da-gen` executable: the command line is src/cli/main.ts.
import { main } from './cli/main.js';

process.exitCode = await main(process.argv.slice(2));
