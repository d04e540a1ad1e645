#!/usr/bin/env node
import { runCli } from './cli.js';
import { actionEntry } from './main.js';

const argv = process.argv.slice(2);
// GitHub runs `node dist/index.js` without arguments for both the main and the post step of the action.
process.exitCode =
  argv.length === 0 && process.env.GITHUB_ACTIONS === 'true'
    ? await actionEntry(process.env)
    : await runCli(
        argv,
        { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
        process.env,
      );
