import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { TrustloopError } from '../core/errors.js';
import { cliContext, withApp, type ConfigLoader } from './context.js';
import { printJson, writeErr, writeOut } from './output.js';

export function auditCommands(program: Command, config: ConfigLoader): void {
  const audit = program.command('audit').description('the hash-chained audit trail');

  audit
    .command('verify')
    .description('recompute the hash chain; exit 1 naming the first bad sequence number')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const result = await withApp(config, async (app) => {
        const verification = await app.audit.verify();
        await app.audit.record(cliContext(), {
          action: 'audit.verify',
          resource: { type: 'audit-trail' },
          outcome: verification.ok ? 'success' : 'failure',
          details: {
            checked: verification.checked,
            firstBadSeq: verification.firstBadSeq,
            reason: verification.reason,
          },
        });
        return verification;
      });
      if (options.json) printJson(result);
      else if (result.ok)
        writeOut(`audit chain intact: ${result.checked} events, head ${result.headSeq} ${result.headHash ?? '-'}`);
      else
        writeErr(
          `audit chain BROKEN at sequence ${result.firstBadSeq} (${result.reason}); ${result.checked} events before it are intact`,
        );
      if (!result.ok) process.exitCode = 1;
    });

  audit
    .command('export')
    .description('write every event, hashes included, as NDJSON (stdout or --output)')
    .option('--output <file>', 'write to this file instead of stdout')
    .action(async (options: { output?: string }) => {
      if (options.output && existsSync(options.output)) {
        throw new TrustloopError('ERR_VALIDATION', '--output names a file that already exists; it is not overwritten');
      }
      await withApp(config, async (app) => {
        await app.audit.record(cliContext(), { action: 'audit.export', resource: { type: 'audit-trail' } });
        const out = options.output ? createWriteStream(options.output, { flags: 'wx', mode: 0o600 }) : process.stdout;
        for await (const event of app.audit.export()) {
          if (!out.write(`${JSON.stringify(event)}\n`)) await once(out, 'drain');
        }
        if (out !== process.stdout) {
          out.end();
          await once(out, 'finish');
        }
      });
    });
}
