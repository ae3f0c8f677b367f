import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on a TypeScript module. Trustloop runs its sources through tsx, and a
 * worker does not inherit the parent's loader, so a one-line bootstrap registers tsx first.
 */
export function startTypeScriptWorker(module: URL, workerData: unknown): Worker {
  const bootstrap = [
    `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};`,
    'register();',
    `await import(${JSON.stringify(module.href)});`,
  ].join('\n');
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), {
    workerData,
    resourceLimits: { maxYoungGenerationSizeMb: 64 },
  });
}
