/**
 * IPv4/IPv6 address and CIDR parsing and matching, in pure TypeScript.
 * Used by the decision module inside the workflow sandbox, so it must never
 * import Node's `net` or anything else with side effects.
 */

export interface ParsedAddress {
  family: 4 | 6;
  value: bigint;
}

export interface ParsedCidr extends ParsedAddress {
  prefixLength: number;
}

const IPV4_OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!IPV4_OCTET.test(part)) return undefined;
    value = (value << 8n) | BigInt(Number(part));
  }
  return value;
}

function parseIpv6Groups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    // An embedded IPv4 address may stand last (e.g. ::ffff:192.0.2.1).
    if (i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else {
      if (!IPV6_GROUP.test(part)) return undefined;
      groups.push(parseInt(part, 16));
    }
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseIpv6Groups(halves[0] as string);
  const tail = halves.length === 2 ? parseIpv6Groups(halves[1] as string) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

/** Parses a literal IPv4 or IPv6 address; returns undefined for anything else. */
export function parseAddress(text: string): ParsedAddress | undefined {
  if (text.length > 45) return undefined;
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

/** Parses `address/prefix`; a bare address is a host route (/32 or /128). */
export function parseCidr(text: string): ParsedCidr | undefined {
  const slash = text.indexOf('/');
  const address = parseAddress(slash === -1 ? text : text.slice(0, slash));
  if (!address) return undefined;
  const bits = address.family === 4 ? 32 : 128;
  if (slash === -1) return { ...address, prefixLength: bits };
  const lengthText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lengthText)) return undefined;
  const prefixLength = Number(lengthText);
  if (prefixLength > bits) return undefined;
  return { ...address, prefixLength };
}

/** True when `address` lies inside `cidr` (same family only; ::ffff:a.b.c.d is not IPv4 here). */
export function cidrContains(cidr: ParsedCidr, address: ParsedAddress): boolean {
  if (cidr.family !== address.family) return false;
  const bits = BigInt(cidr.family === 4 ? 32 : 128);
  const hostBits = bits - BigInt(cidr.prefixLength);
  return cidr.value >> hostBits === address.value >> hostBits;
}

export function isValidAddress(text: string): boolean {
  return parseAddress(text) !== undefined;
}

export function isValidCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

/** True when the literal address text lies in any of the CIDR texts; invalid inputs never match. */
export function addressInAnyCidr(addressText: string, cidrTexts: readonly string[]): boolean {
  const address = parseAddress(addressText);
  if (!address) return false;
  return cidrTexts.some((text) => {
    const cidr = parseCidr(text);
    return cidr !== undefined && cidrContains(cidr, address);
  });
}

// The same grammar as regular expressions, for API schemas and the OpenAPI document (where
// they become `pattern`): every string they match parses here. IPv6 with an embedded IPv4
// tail parses here but is left out of the patterns; prefix lengths have no leading zeros.
const V4_OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const V4 = `(${V4_OCTET}\\.){3}${V4_OCTET}`;
const V4_LENGTH = '/(3[0-2]|[12]?\\d)';
const G = '[0-9a-fA-F]{1,4}';
const V6 = [
  `(${G}:){7}${G}`,
  `(${G}:){1,7}:`,
  `(${G}:){1,6}:${G}`,
  `(${G}:){1,5}(:${G}){1,2}`,
  `(${G}:){1,4}(:${G}){1,3}`,
  `(${G}:){1,3}(:${G}){1,4}`,
  `(${G}:){1,2}(:${G}){1,5}`,
  `${G}:(:${G}){1,6}`,
  `:((:${G}){1,7}|:)`,
].join('|');
const V6_LENGTH = '/(12[0-8]|1[01]\\d|[1-9]?\\d)';

/** An IPv4 address. */
export const IPV4_PATTERN = new RegExp(`^${V4}$`);
/** An IPv4 block with its prefix length, such as 203.0.113.0/24. */
export const IPV4_CIDR_PATTERN = new RegExp(`^${V4}${V4_LENGTH}$`);
/** An IPv4 or IPv6 address with an optional prefix length (a bare address is a host route). */
export const CIDR_PATTERN = new RegExp(`^(${V4}(${V4_LENGTH})?|(${V6})(${V6_LENGTH})?)$`);
/** An IPv4 or IPv6 prefix with its length, such as 192.0.2.0/24 or 2001:db8::/32. */
export const PREFIX_PATTERN = new RegExp(`^(${V4}${V4_LENGTH}|(${V6})${V6_LENGTH})$`);
