/**
 * The simulator's admin API under `/_sim`: seed accounts, prefixes, IPs and servers;
 * change provider state behind the orchestrator's back (drift); inject faults;
 * advance the clock; tune timings; list the calls received.
 */
import { Router } from 'express';
import type { CloudflareSeed } from './cloudflare';
import type { Fault } from './faults';
import type { GcoreSeed } from './gcore';
import type { HetznerServerSeed } from './hetzner';
import type { OvhConsumer, OvhIpSeed } from './ovh';
import type { Simulator } from './index';
import type { SimTiming } from './clock';

export function adminRouter(sim: Simulator): Router {
  const router = Router();
  const created = (res: import('express').Response) => res.status(201).json({ ok: true });

  router.post('/reset', (_req, res) => {
    sim.cloudflare.accounts.clear();
    sim.ovh.consumers.clear();
    sim.ovh.blocks.clear();
    sim.hetzner.users.clear();
    sim.hetzner.servers.clear();
    sim.gcore.keys.clear();
    sim.faults.reset();
    sim.clock.reset();
    res.status(204).end();
  });
  router.post('/config', (req, res) => {
    Object.assign(sim.timing, req.body as Partial<SimTiming>);
    res.json(sim.timing);
  });
  router.post('/clock/advance', (req, res) => {
    sim.clock.advance(Number((req.body as { seconds?: number }).seconds ?? 0) * 1000);
    res.json({ now: new Date(sim.clock.now()).toISOString() });
  });

  router.post('/cloudflare/prefixes', (req, res) => {
    sim.cloudflare.seed(req.body as CloudflareSeed);
    created(res);
  });
  router.post('/cloudflare/advertised', (req, res) => {
    const { accountId, prefixId, bgpPrefixId, advertised } = req.body as CloudflareSeed & { advertised: boolean };
    res.status(sim.cloudflare.setAdvertised(accountId, prefixId, bgpPrefixId, advertised) ? 200 : 404).json({});
  });

  router.post('/ovh/consumers', (req, res) => {
    sim.ovh.addConsumer(req.body as OvhConsumer);
    created(res);
  });
  router.post('/ovh/ips', (req, res) => {
    sim.ovh.seedIp(req.body as OvhIpSeed);
    created(res);
  });
  router.post('/ovh/mitigation', (req, res) => {
    const { ipBlock, ip, active } = req.body as { ipBlock: string; ip: string; active: boolean };
    res.status(sim.ovh.setMitigation(ipBlock, ip, active) ? 200 : 404).json({});
  });

  router.post('/hetzner/users', (req, res) => {
    const { username, password } = req.body as { username: string; password: string };
    sim.hetzner.users.set(username, password);
    created(res);
  });
  router.post('/hetzner/servers', (req, res) => {
    sim.hetzner.seedServer(req.body as HetznerServerSeed);
    created(res);
  });
  router.post('/hetzner/firewall-status', (req, res) => {
    const { serverNumber, status } = req.body as { serverNumber: number; status: 'active' | 'disabled' };
    const server = sim.hetzner.servers.get(serverNumber);
    if (server) server.firewall.status = status;
    res.status(server ? 200 : 404).json({});
  });

  router.post('/gcore/prefixes', (req, res) => {
    sim.gcore.seed(req.body as GcoreSeed);
    created(res);
  });
  router.post('/gcore/announced', (req, res) => {
    const { prefix, announced } = req.body as { prefix: string; announced: boolean };
    res.status(sim.gcore.setAnnounced(prefix, announced) ? 200 : 404).json({});
  });

  router.post('/faults', (req, res) => {
    sim.faults.add(req.body as Fault);
    created(res);
  });
  router.get('/requests', (_req, res) => {
    res.json(sim.faults.requests);
  });
  /** What each provider holds now: advertised prefixes, enabled OVH firewalls, Hetzner firewall status, Gcore announces. */
  router.get('/state', (_req, res) => {
    const cloudflare = [...sim.cloudflare.accounts.values()].flatMap((a) =>
      a.prefixes.flatMap((p) => p.bgpPrefixes.map((b) => ({ accountId: a.id, prefixId: p.id, bgpPrefixId: b.id, cidr: b.cidr, advertised: b.on_demand.advertised === true }))),
    );
    const ovh = [...sim.ovh.blocks.entries()].flatMap(([block, ips]) =>
      [...ips.keys()].map((ip) => ({ ipBlock: block, ip, firewall: sim.ovh.firewall(block, ip) ?? null, mitigation: Boolean(sim.ovh.ip(block, ip)?.mitigation) })),
    );
    const hetzner = [...sim.hetzner.servers.values()].map((s) => ({ serverNumber: s.number, status: sim.hetzner.view(s).status, inputRules: s.firewall.rules.input.length }));
    res.json({ cloudflare, ovh, hetzner, gcore: sim.gcore.list() });
  });
  return router;
}
