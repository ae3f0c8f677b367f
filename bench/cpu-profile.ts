/**
 * Reads a V8 `.cpuprofile` (node --cpu-prof) and prints where the time went, in shares of the
 * busy (non-idle) samples: the functions with the most self time, the code they belong to (a
 * package, a Trustloop domain, Node itself), and the functions with the most inclusive time.
 *
 *   node --import tsx bench/cpu-profile.ts FILE.cpuprofile [--top 20]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  /** Microseconds on the monotonic clock, the one `process.hrtime` reads in every process. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A stretch of the monotonic clock in microseconds, as `process.hrtime.bigint() / 1000n` gives it. */
export interface Window {
  from: number;
  to: number;
}

export interface Share {
  name: string;
  share: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleShare: number;
  selfByFunction: Share[];
  selfByOwner: Share[];
  inclusiveByFunction: Share[];
}

const IDLE = new Set(['(idle)', '(program)']);

/** The package, the Trustloop source directory or Node's part that a frame belongs to. */
function owner(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : 'V8 / native';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 14).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const src = url.indexOf('/src/');
  if (src >= 0)
    return `trustloop ${url
      .slice(src + 1)
      .split('/')
      .slice(0, 2)
      .join('/')}`;
  return path.basename(url);
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (url === '') return functionName || '(anonymous)';
  const file = url.includes('/node_modules/') ? url.slice(url.lastIndexOf('/node_modules/') + 14) : path.basename(url);
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

const ranked = (totals: Map<string, number>, busy: number, top: number): Share[] =>
  [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, time]) => ({ name, share: time / busy }));

/** Summarises the whole profile, or only the samples taken within `window`. */
export function summarise(file: string, top = 20, window?: Window): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<string, number>();
  const owners = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window.from || at > window.to)) return;
    if (IDLE.has(node.callFrame.functionName)) {
      idle += delta;
      return;
    }
    busy += delta;
    const name = label(node);
    self.set(name, (self.get(name) ?? 0) + delta);
    const who = owner(node.callFrame.url, node.callFrame.functionName);
    owners.set(who, (owners.get(who) ?? 0) + delta);
    // Each function on the stack once, however often it recurses.
    const seen = new Set<string>();
    for (let frameId: number | undefined = id; frameId !== undefined; frameId = parent.get(frameId)) {
      const frame = label(byId.get(frameId)!);
      if (frame === '(root)' || seen.has(frame)) continue;
      seen.add(frame);
      inclusive.set(frame, (inclusive.get(frame) ?? 0) + delta);
    }
  });
  return {
    busyMs: busy / 1000,
    idleShare: idle / (idle + busy),
    selfByFunction: ranked(self, busy, top),
    selfByOwner: ranked(owners, busy, top),
    inclusiveByFunction: ranked(inclusive, busy, top),
  };
}

export function printSummary(summary: ProfileSummary, write: (line: string) => void): void {
  const percent = (share: number) => `${(share * 100).toFixed(1)} %`;
  write(
    `busy ${Math.round(summary.busyMs).toLocaleString('en')} ms of main-thread samples (idle ${percent(summary.idleShare)} of the profile)`,
  );
  for (const [title, rows] of [
    ['self time by code owner', summary.selfByOwner],
    ['self time by function', summary.selfByFunction],
    ['inclusive time by function', summary.inclusiveByFunction],
  ] as const) {
    write('');
    write(`| ${title} | share of busy |`);
    write('|---|--:|');
    for (const row of rows) write(`| ${row.name.replaceAll('|', '\\|')} | ${percent(row.share)} |`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: bench/cpu-profile.ts FILE.cpuprofile [--top N]');
  const topFlag = process.argv.indexOf('--top');
  printSummary(summarise(file, topFlag > 0 ? Number(process.argv[topFlag + 1]) : 20), (line) =>
    process.stdout.write(`${line}\n`),
  );
}
