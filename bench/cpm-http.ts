/**
 * The HTTP half of the CPM benchmark: a real `trustloop serve` in a child process on loopback
 * (SQLite, software keystore unsealed in development mode, audit on) and autocannon driving it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';

const BIN = path.resolve('bin/trustloop.mjs');
const TOKEN = /tl\.tok_[a-z2-7]{16}\.[A-Za-z0-9_-]{43}/;

export interface BenchServer {
  url: string;
  /** The initial admin token the first start printed. */
  token: string;
  /** The server's pid, for `perf`/`top` while it runs. */
  pid: number;
  call<T>(method: string, route: string, body?: unknown): Promise<T>;
  /** SIGTERM, wait for the exit (and the CPU profile, when asked for), remove the data directory. */
  stop(): Promise<void>;
}

export interface LoadResult {
  /** 2xx responses per second over the measured run. */
  rate: number;
  p50: number;
  p99: number;
  /** Anything but a 2xx answer, and connection errors: must be 0 for the figure to count. */
  failures: number;
  /** When the measured run (not the warm-up) ran, in monotonic microseconds, to slice a CPU profile. */
  window: { from: number; to: number };
  /** CPU seconds per answered request: the server's and autocannon's (this process) together. */
  cpuPerRequest: number;
}

/** Linux counts a process's CPU time in clock ticks of 1/100 s (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system, all threads) a process has used, from /proc. */
function processCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

const ownCpu = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

/** A port nobody listens on now, so the child can be told where to listen. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no TCP port to listen on');
  return address.port;
}

async function waitFor(child: ChildProcess, condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before ${what}`);
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Starts `trustloop serve` on a fresh SQLite store with TRUSTLOOP_DEV_UNSEAL, logging warnings
 * only (the default `info` writes one line per request). With `cpuProfileDir` the server runs
 * under `--cpu-prof` and writes its profile there when stopped.
 */
export async function startServer(options: { cpuProfileDir?: string } = {}): Promise<BenchServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'trustloop-bench-http-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      TRUSTLOOP_DATA_DIR: dataDir,
      TRUSTLOOP_HOST: '127.0.0.1',
      TRUSTLOOP_PORT: String(port),
      TRUSTLOOP_DEV_UNSEAL: 'true',
      TRUSTLOOP_LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor(child, async () => TOKEN.test(output), 'the initial admin token');
    await waitFor(
      child,
      () =>
        fetch(`${url}/healthz`)
          .then((response) => response.json() as Promise<{ keystore?: string }>)
          .then((health) => health.keystore === 'unsealed')
          .catch(() => false),
      'an unsealed keystore on /healthz',
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}; server output:\n${output}`, { cause: error });
  }
  const token = TOKEN.exec(output)![0];
  const call = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const payload = (await response.json()) as T;
    if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${JSON.stringify(payload)}`);
    return payload;
  };
  return { url, token, pid: child.pid!, call, stop };
}

/**
 * `connections` clients, each with one request in flight, for `seconds`, after a warm-up of two
 * seconds that is not counted. autocannon stops by itself at the end of its duration.
 */
export async function load(
  server: BenchServer,
  request: { method: 'GET' | 'POST'; route: string; body?: unknown },
  seconds: number,
  connections: number,
): Promise<LoadResult> {
  const run = (duration: number) =>
    autocannon({
      url: `${server.url}${request.route}`,
      method: request.method,
      connections,
      pipelining: 1,
      duration,
      headers: {
        authorization: `Bearer ${server.token}`,
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    });
  await run(2);
  const cpuBefore = processCpu(server.pid) + ownCpu();
  const from = monotonicMicros();
  const result = await run(seconds);
  const to = monotonicMicros();
  const cpu = processCpu(server.pid) + ownCpu() - cpuBefore;
  return {
    window: { from, to },
    rate: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors,
    cpuPerRequest: cpu / Math.max(1, result['2xx'] + result.non2xx),
  };
}
