/** What the bench and its simulator process (simulator-process.ts) say to each other over IPC. */
import type { CloudflareSeed } from '../simulator/cloudflare';

/** A Cloudflare BGP-prefix request as it arrived: a GET (`advertised` null) or a PATCH setting `advertised`. */
export interface SeenRequest {
  bgpPrefixId: string;
  /** bench/clock.ts `now()`, taken in the simulator process as the request arrived. */
  arrivedAt: number;
  advertised: boolean | null;
}

export type ToSimulator = { type: 'seed'; id: number; prefixes: CloudflareSeed[] };

export type FromSimulator = { type: 'ready'; url: string } | { type: 'seeded'; id: number } | { type: 'seen'; requests: SeenRequest[] };
