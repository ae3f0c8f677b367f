#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ in one node:test run through tsx, so one summary
// counts the whole suite; ends with "N passed, N failed". Arguments narrow the file list.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const roots = ['src', 'test'];
const filters = process.argv.slice(2);
const tapFile = path.join('.tmp', `test-results-${process.pid}.tap`);

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return find(full);
    return /\.test\.tsx?$/.test(name) ? [full] : [];
  });
}

const files = roots.flatMap(find).filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)));
if (files.length === 0) {
  process.stderr.write('no test files matched\n');
  process.exit(1);
}
mkdirSync('.tmp', { recursive: true });
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...files,
  ],
  { stdio: 'inherit', env: process.env },
);
const tap = readFileSync(tapFile, 'utf8');
rmSync(tapFile);
const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
// A test cancelled by a failing hook did not pass: count it with the failures.
const failed = count('fail') + count('cancelled');
process.stdout.write(`\n${count('pass')} passed, ${failed} failed, ${count('skipped')} skipped\n`);
process.exit(result.status ?? 1);
