/** Wall-clock time as the ISO-8601 UTC text every table stores (sortable, identical on both engines). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const isoNow = (clock: Clock = systemClock): string => clock.now().toISOString();
