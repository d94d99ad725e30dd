/**
 * What a simulated provider declares, in its own module (simulator/<type>.ts): where its API
 * is, its state, its routes, and its admin routes (seeding, changes behind the orchestrator's
 * back). One list registers them (simulator/providers.ts); the simulator and its admin API are
 * built from that list.
 */
import type { RequestHandler, Router } from 'express';
import type { ProviderType } from '../catalog';
import type { SimClock, SimTiming } from './clock';

export interface SimulatedProvider<State, Type extends ProviderType = ProviderType> {
  type: Type;
  /** Where its API is mounted on the simulator. */
  mount: string;
  /** The base URL the worker calls, below the simulator's URL (the mount, or a version below it). */
  urlPath: string;
  createState(clock: SimClock, timing: SimTiming): State;
  /** The provider's API, behind the fault middleware (body parsers it needs beyond JSON first). */
  routes(state: State): (Router | RequestHandler)[];
  /** Its admin routes, mounted at `/_sim/<type>`: seeding, and changes behind the orchestrator's back. */
  admin(router: Router, state: State): void;
  /** Forgets everything seeded (`POST /_sim/reset`). */
  reset(state: State): void;
  /** What the provider holds now (`GET /_sim/state`). */
  view(state: State): unknown;
}

/** A 201 for a seeding route. */
export const created = (res: import('express').Response) => res.status(201).json({ ok: true });
