#!/usr/bin/env node
import { runExportCli } from './export-cli.js';

process.exitCode = await runExportCli(process.argv.slice(2), {
  cwd: process.env.INIT_CWD ?? process.cwd(),
  log: (line) => console.log(line),
});
