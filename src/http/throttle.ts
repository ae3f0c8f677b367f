/**
 * Counts hits per key in fixed windows. Memory is bounded: the map is dropped at each new window
 * and when it grows past `maxKeys` (a flood from many addresses resets counting, it never OOMs).
 */
export class FixedWindowCounter {
  private window = -1;
  private counts = new Map<string, number>();

  constructor(
    private readonly windowMs = 60_000,
    private readonly maxKeys = 100_000,
  ) {}

  /** Records one hit for `key` and returns how many it has in the current window. */
  hit(key: string, now = Date.now()): number {
    const window = Math.floor(now / this.windowMs);
    if (window !== this.window || this.counts.size >= this.maxKeys) {
      this.window = window;
      this.counts = new Map();
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count;
  }
}
