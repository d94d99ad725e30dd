/** The simulator's clock: real time plus an offset that tests advance (15-minute windows, lockouts, pending states). */
export class SimClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

/** Timing knobs, defaulting to the providers' documented behaviour. */
export interface SimTiming {
  /** Cloudflare: minimum time between two advertisement changes of a prefix. */
  cloudflareChangeIntervalSeconds: number;
  /** OVH: how long firewall changes stay pending. */
  ovhPendingMs: number;
  /** Hetzner: how long a firewall change stays "in process". */
  hetznerInProcessMs: number;
}

export const DOCUMENTED_TIMING: SimTiming = {
  cloudflareChangeIntervalSeconds: 15 * 60,
  ovhPendingMs: 5_000,
  hetznerInProcessMs: 25_000,
};

/** Providers that apply changes at once and allow any number of them (tests, the bench). */
export const INSTANT_TIMING: SimTiming = { cloudflareChangeIntervalSeconds: 0, ovhPendingMs: 0, hetznerInProcessMs: 0 };
