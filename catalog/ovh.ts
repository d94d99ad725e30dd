/** OVHcloud Edge Network Firewall on one IPv4 (adapter: activities/providers/ovh.ts). */
import { z } from 'zod';
import { IPV4_CIDR_PATTERN, IPV4_PATTERN, isValidAddress, parseAddress } from '../workflows/cidr';
import type { ProviderDefinition } from './contract';

/** The API endpoints an OVH application key can belong to. */
export const OVH_ENDPOINTS = {
  'ovh-eu': 'https://eu.api.ovh.com/1.0',
  'ovh-ca': 'https://ca.api.ovh.com/1.0',
  'ovh-us': 'https://api.us.ovhcloud.com/1.0',
  'soyoustart-eu': 'https://eu.api.soyoustart.com/1.0',
  'soyoustart-ca': 'https://ca.api.soyoustart.com/1.0',
  'kimsufi-eu': 'https://eu.api.kimsufi.com/1.0',
  'kimsufi-ca': 'https://ca.api.kimsufi.com/1.0',
} as const;
export type OvhEndpoint = keyof typeof OVH_ENDPOINTS;

const ipv4 = z
  .string()
  .regex(IPV4_PATTERN, 'an IPv4 address')
  .refine((v) => isValidAddress(v) && parseAddress(v)?.family === 4, 'an IPv4 address');

/** OVH documents no window for the Edge Network Firewall; its own mitigation already delays a disable while it runs. */
export const ovh = {
  type: 'ovh',
  label: 'OVHcloud Edge Network Firewall',
  operations: { activate: 'ovh.enableFirewall', withdraw: 'ovh.disableFirewall' },
  timing: { minActiveSeconds: 0, reactivateAfterSeconds: 0, why: 'OVH documents no window for the Edge Network Firewall' },
  settings: z.object({
    endpoint: z.enum(Object.keys(OVH_ENDPOINTS) as [OvhEndpoint, ...OvhEndpoint[]]),
    ip: ipv4,
    ipBlock: z.string().regex(IPV4_CIDR_PATTERN, 'an IPv4 block such as 203.0.113.0/24').optional(),
  }),
  credentials: z.object({ applicationKey: z.string().min(1), applicationSecret: z.string().min(1), consumerKey: z.string().min(1) }),
  urlEnv: 'OVH_API_URL',
  /**
   * Network Defense v2 (the VAC scrubbing centre): ongoing attack events and dropped traffic per
   * IP. Traffic passes the VAC only while OVH scrubs, so calm is no ongoing event and drops about
   * zero; five calm minutes are enough because OVH keeps its own VAC engaged for its
   * `autoMitigationTimeOut` after an attack anyway.
   */
  telemetry: {
    activity: 'ovh.readTelemetry',
    source: 'OVH Network Defense (VAC)',
    calm: {
      droppedBps: 1_000_000,
      droppedPps: 100,
      calmSeconds: 300,
      maxWaitSeconds: 7_200,
      onMaxWait: 'keep',
      why: 'no ongoing VAC event and OVH dropping about nothing (at most 1 Mbps, 100 pps) for 5 minutes; OVH keeps its own VAC engaged after an attack anyway',
    },
  },
} as const satisfies ProviderDefinition;
