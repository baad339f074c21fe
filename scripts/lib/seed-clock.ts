import type { Clock } from '../../api/clock.ts';

/** A server clock that runs in real time from an offset the demo process may move; see SimulatedTime. */
export interface DemoClock extends Clock {
  advance(ms: number): void;
  /** How far the clock is from real time (negative: in the past). */
  offsetMs(): number;
}

/**
 * Only for `npm run demo` and tests: the demo server is given this clock so that the seeder, running in the
 * same process, can log process images on different simulated days. The server has no endpoint to move it.
 */
export function createDemoClock(startOffsetMs = 0): DemoClock {
  let offset = startOffsetMs;
  return {
    now: () => new Date(Date.now() + offset),
    advance: (ms) => {
      offset += ms;
    },
    offsetMs: () => offset,
  };
}
