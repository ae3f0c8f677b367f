import type { Logger } from './logger.js';

interface Job {
  name: string;
  everyMs: number;
  run: () => Promise<unknown>;
  /** Run once at once, rather than first after `everyMs`. */
  startNow?: boolean;
}

/**
 * Background jobs of the running server (key rotation, destruction, later CRLs and evidence
 * collectors). A run never overlaps the previous run of the same job, a failure is logged and the
 * job tries again on its next tick, and timers never keep the process alive on their own.
 */
export class Scheduler {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<string>();

  constructor(private readonly logger: Logger) {}

  every(job: Job): void {
    const timer = setInterval(() => void this.runNow(job), job.everyMs);
    timer.unref();
    this.timers.push(timer);
    if (job.startNow) void this.runNow(job);
  }

  /** Runs a job once now, unless it is still running from before (then resolves false). */
  async runNow(job: Job): Promise<boolean> {
    if (this.running.has(job.name)) return false;
    this.running.add(job.name);
    try {
      const result = await job.run();
      this.logger.debug({ job: job.name, result }, 'job finished');
      return true;
    } catch (error) {
      this.logger.error({ job: job.name, err: error }, 'job failed');
      return true;
    } finally {
      this.running.delete(job.name);
    }
  }

  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
  }
}
