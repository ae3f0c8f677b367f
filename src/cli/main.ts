import { Command, CommanderError } from 'commander';
import { loadConfig } from '../core/config.js';
import { isTrustloopError } from '../core/errors.js';
import { accessReviewCommands } from './access-reviews.js';
import { adminCommands } from './admin.js';
import { auditCommands } from './audit.js';
import { controlsCommands } from './controls.js';
import { fspiopCommands } from './fspiop.js';
import { keystoreCommands } from './keystore.js';
import { notificationCommands } from './notifications.js';
import { participantCommands } from './participants.js';
import { pkiCommands } from './pki.js';
import { serverCommands } from './serve.js';
import { fail, writeErr } from './output.js';

/** `trustloop`: every command reads the same configuration as the server and acts on the same store. */
export function buildProgram(): Command {
  const program = new Command('trustloop')
    .description('Trustloop: the trust platform of an instant-payments scheme')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (text) => writeErr(text.trimEnd()) });
  const config = () => loadConfig();
  serverCommands(program, config);
  adminCommands(program, config);
  participantCommands(program, config);
  auditCommands(program, config);
  keystoreCommands(program, config);
  fspiopCommands(program);
  controlsCommands(program);
  pkiCommands(program);
  notificationCommands(program);
  accessReviewCommands(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (isTrustloopError(error)) {
      fail(error.code, error.message, error.code === 'ERR_VALIDATION' || error.code === 'ERR_CONFIG' ? 2 : 1);
      return;
    }
    fail('ERR_INTERNAL', describeUnexpected(error), 1);
  }
}

/** System errors (a refused connection, a missing file) are named; anything else stays generic. */
function describeUnexpected(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code)
    ? `system error ${code} (check DATABASE_URL and TRUSTLOOP_DATA_DIR)`
    : 'unexpected error; run with TRUSTLOOP_LOG_LEVEL=debug for details';
}

// A reader that stops early (`trustloop audit export | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

await main(process.argv);
