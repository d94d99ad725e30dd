/**
 * Fault injection and the request log shared by every simulated provider.
 * Tests program faults through `/_sim/faults` and read `/_sim/requests` to
 * assert what the provider saw, in order.
 */
import type { NextFunction, Request, Response } from 'express';

export interface Fault {
  provider: string;
  method?: string;
  /** Matches when the request path contains this text. */
  pathIncludes?: string;
  /** Answer with this status and body instead of the real one... */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** ...and/or wait this long first (the real handler still runs unless `status` is set). */
  delayMs?: number;
  /** How many matching requests it applies to; default 1, -1 forever (or until `durationMs` passes). */
  times?: number;
  /** Applies to every matching request for this long (ms), instead of `times`. */
  durationMs?: number;
}

export interface LoggedRequest {
  provider: string;
  method: string;
  path: string;
  body: unknown;
  at: number;
  status?: number;
}

export class FaultBook {
  private faults: Fault[] = [];
  readonly requests: LoggedRequest[] = [];

  private expiries = new Map<Fault, number>();

  add(fault: Fault): void {
    const stored: Fault = fault.durationMs === undefined ? { times: 1, ...fault } : { ...fault, times: -1 };
    if (fault.durationMs !== undefined) this.expiries.set(stored, Date.now() + fault.durationMs);
    this.faults.push(stored);
  }

  reset(): void {
    this.faults = [];
    this.expiries.clear();
    this.requests.length = 0;
  }

  private take(provider: string, req: Request): Fault | undefined {
    this.faults = this.faults.filter((f) => (this.expiries.get(f) ?? Infinity) > Date.now());
    const fault = this.faults.find(
      (f) => f.provider === provider && (f.method === undefined || f.method.toUpperCase() === req.method) && (f.pathIncludes === undefined || req.path.includes(f.pathIncludes)),
    );
    if (fault && fault.times !== -1) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.times <= 0) this.faults = this.faults.filter((f) => f !== fault);
    }
    return fault;
  }

  /** Middleware for one provider's routes: logs the request, then applies a matching fault. */
  middleware(provider: string) {
    return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      const entry: LoggedRequest = { provider, method: req.method, path: req.path, body: req.body, at: Date.now() };
      this.requests.push(entry);
      res.on('finish', () => (entry.status = res.statusCode));
      const fault = this.take(provider, req);
      if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault?.status !== undefined) {
        res
          .status(fault.status)
          .set(fault.headers ?? {})
          .json(fault.body ?? {});
        return;
      }
      next();
    };
  }
}
