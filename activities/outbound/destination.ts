/**
 * Where a tenant-configured outbound call (a webhook, a Slack URL) may go. A destination is
 * refused unless it is https (http only when the operator allows it), is not a loopback,
 * private, link-local, shared, reserved, multicast, documentation or metadata address (IPv4,
 * IPv6, and IPv4 inside IPv6: mapped, NAT64, 6to4), and is not an internal name (localhost,
 * *.internal, *.local, single-label names). The WHATWG URL parser normalises the numeric forms
 * (decimal 2130706433, hex 0x7f.1, short 127.1, 0) to dotted IPv4 first. Slack URLs must be on
 * Slack's webhook host. The operator's allow-list (OUTBOUND_ALLOW: CIDRs and host names)
 * permits internal receivers on purpose. The same rules run at creation (API) and on every
 * address a name resolves to at connect time (connect.ts), so DNS cannot rebind past them.
 */
import { cidrContains, parseAddress, parseCidr, type ParsedAddress, type ParsedCidr } from '../../workflows/cidr';

export interface OutboundPolicy {
  /** Plain http allowed (OUTBOUND_ALLOW_HTTP); https only otherwise. */
  allowHttp: boolean;
  /** Addresses allowed although internal. */
  allowCidrs: ParsedCidr[];
  /** Host names (lower case) allowed although internal, and for Slack URLs. */
  allowHosts: string[];
}

const SLACK_WEBHOOK_HOST = 'hooks.slack.com';

/** The default: public https destinations only, nothing allowed on purpose. */
export const PUBLIC_HTTPS_ONLY: OutboundPolicy = Object.freeze({ allowHttp: false, allowCidrs: [], allowHosts: [] });

export function outboundPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): OutboundPolicy {
  const entries = (env.OUTBOUND_ALLOW ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  const allowCidrs: ParsedCidr[] = [];
  const allowHosts: string[] = [];
  for (const entry of entries) {
    const cidr = parseCidr(entry);
    if (cidr) allowCidrs.push(cidr);
    else if (/^[a-z0-9.-]+$/.test(entry)) allowHosts.push(entry);
    else throw new Error(`OUTBOUND_ALLOW: "${entry.slice(0, 60)}" is neither a CIDR nor a host name`);
  }
  return { allowHttp: /^(1|true|yes)$/i.test(env.OUTBOUND_ALLOW_HTTP ?? ''), allowCidrs, allowHosts };
}

const FORBIDDEN_V4: [string, string][] = [
  ['0.0.0.0/8', 'this network'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared address space'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local (cloud metadata)'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', '6to4 relay'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
];
const FORBIDDEN_V6: [string, string][] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['100::/64', 'discard'],
  ['2001:db8::/32', 'documentation'],
  ['fc00::/7', 'unique local (private)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['ff00::/8', 'multicast'],
];
const parsed = (list: [string, string][]) => list.map(([cidr, why]) => ({ cidr: parseCidr(cidr) as ParsedCidr, why }));
const V4_RANGES = parsed(FORBIDDEN_V4);
const V6_RANGES = parsed(FORBIDDEN_V6);
/** IPv6 ranges that carry an IPv4 address in their low 32 bits: the IPv4 address is judged. */
const EMBEDDING_V4 = parsed([
  ['::ffff:0:0/96', 'IPv4-mapped'],
  ['::/96', 'IPv4-compatible'],
  ['64:ff9b::/96', 'NAT64'],
  ['64:ff9b:1::/48', 'local NAT64'],
]);
const SIX_TO_FOUR = parseCidr('2002::/16') as ParsedCidr;

/** Why the address is not a public destination, or null when it is. */
function internalAddressReason(address: ParsedAddress): string | null {
  if (address.family === 4) return V4_RANGES.find((r) => cidrContains(r.cidr, address))?.why ?? null;
  for (const range of EMBEDDING_V4) {
    if (cidrContains(range.cidr, address)) {
      const inner = internalAddressReason({ family: 4, value: address.value & 0xffffffffn });
      return inner ? `${range.why} ${inner}` : null;
    }
  }
  if (cidrContains(SIX_TO_FOUR, address)) {
    const inner = internalAddressReason({ family: 4, value: (address.value >> 80n) & 0xffffffffn });
    if (inner) return `6to4 ${inner}`;
  }
  return V6_RANGES.find((r) => cidrContains(r.cidr, address))?.why ?? null;
}

/** Why a resolved address may not be called under the policy, or null. */
export function refusedAddress(text: string, policy: OutboundPolicy): string | null {
  const address = parseAddress(text);
  if (!address) return `${text.slice(0, 60)} is not an IP address`;
  if (policy.allowCidrs.some((cidr) => cidrContains(cidr, address))) return null;
  const why = internalAddressReason(address);
  return why ? `${text} (${why})` : null;
}

const INTERNAL_NAME = /(^|\.)(localhost|local|internal|intranet|lan|home|corp|localdomain|home\.arpa)$/;

/**
 * Why a tenant's URL is refused, or null when it may be called (its resolved addresses are
 * checked again at connect time). `kind` slack: only Slack's webhook host.
 */
export function refusedUrl(text: string, kind: 'webhook' | 'slack', policy: OutboundPolicy): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL';
  }
  if (url.username || url.password) return 'credentials in the URL are not allowed';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    return policy.allowHttp ? 'only http and https URLs' : 'only https URLs (the operator may allow http: OUTBOUND_ALLOW_HTTP)';
  }
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const address = parseAddress(host.startsWith('[') ? host.slice(1, -1) : host);
  if (policy.allowHosts.includes(host) || (address && policy.allowCidrs.some((cidr) => cidrContains(cidr, address)))) return null;
  if (kind === 'slack' && host !== SLACK_WEBHOOK_HOST) return `a Slack webhook URL is on ${SLACK_WEBHOOK_HOST}`;
  const refused = ' is refused: internal destinations are not called (the operator may allow some: OUTBOUND_ALLOW)';
  if (address) {
    const why = internalAddressReason(address);
    return why ? `${host} (${why})${refused}` : null;
  }
  if (!host.includes('.') || INTERNAL_NAME.test(host) || host === 'metadata.google.internal') return `${host} (an internal name)${refused}`;
  return null;
}
