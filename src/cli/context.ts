import { userInfo } from 'node:os';
import { openApp, type App } from '../app.js';
import type { Config } from '../core/config.js';
import type { RequestContext } from '../core/context.js';

export type ConfigLoader = () => Config;

/**
 * The CLI acts as a local administrator: whoever can run it against the data directory or
 * DATABASE_URL already holds the keys to the store. Its actions are audited under the OS user.
 */
export function cliContext(): RequestContext {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // Containers without a passwd entry for the uid still get an audit actor.
  }
  return {
    actor: { type: 'cli', id: `cli:${user}`, role: 'admin', participantId: null },
    requestId: null,
    sourceIp: null,
    userAgent: 'trustloop-cli',
    sessionId: null,
    service: 'cli',
  };
}

export async function withApp<T>(loadConfig: ConfigLoader, work: (app: App) => Promise<T>): Promise<T> {
  const app = await openApp(loadConfig());
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}
