/**
 * Connect-time half of the outbound rules (destination.ts): HTTP(S) agents whose DNS lookup
 * checks every address a name resolves to, so a name that resolves (or re-resolves) to an
 * internal address is refused before any connection is made. Literal IP hosts never reach a
 * lookup; `refusedUrl` has judged them already.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { refusedAddress, type OutboundPolicy } from './destination';

export class RefusedDestinationError extends Error {
  override readonly name = 'RefusedDestinationError';
  readonly code = 'EREFUSEDDESTINATION';
}

export function guardedLookup(policy: OutboundPolicy, resolve: typeof dns.lookup = dns.lookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const all = addresses;
      const refused = all.map((a) => refusedAddress(a.address, policy)).find((why) => why !== null);
      if (refused || all.length === 0) {
        return callback(new RefusedDestinationError(`${hostname} resolves to ${refused ?? 'nothing'}: internal destinations are not called`), '', 0);
      }
      if (options.all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, all);
      else callback(null, all[0]!.address, all[0]!.family);
    });
  };
}

/** axios options for a tenant-configured destination: guarded agents, no proxy, no redirects. */
export function guardedRequestOptions(policy: OutboundPolicy) {
  const lookup = guardedLookup(policy);
  return {
    httpAgent: new http.Agent({ lookup }),
    httpsAgent: new https.Agent({ lookup }),
    proxy: false as const,
    maxRedirects: 0,
  };
}
