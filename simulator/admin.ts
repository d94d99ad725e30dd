/**
 * The simulator's admin API under `/_sim`: seed accounts, prefixes, IPs and servers;
 * change provider state behind the orchestrator's back (drift); inject faults;
 * advance the clock; tune timings; list the calls received.
 */
import { Router } from 'express';
import type { Fault } from './faults';
import type { Simulator } from './index';
import type { SimTiming } from './clock';
import { created } from './provider';
import { simulatedProviders } from './providers';

export function adminRouter(sim: Simulator): Router {
  const router = Router();
  const stateOf = (type: (typeof simulatedProviders)[number]['type']) => sim[type] as unknown;

  router.post('/reset', (_req, res) => {
    for (const provider of simulatedProviders) provider.reset(stateOf(provider.type));
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

  // Each provider's seeding and changes behind the orchestrator's back, under /_sim/<type>.
  for (const provider of simulatedProviders) {
    const routes = Router();
    provider.admin(routes, stateOf(provider.type));
    router.use(`/${provider.type}`, routes);
  }

  router.post('/faults', (req, res) => {
    sim.faults.add(req.body as Fault);
    created(res);
  });
  router.get('/requests', (_req, res) => {
    res.json(sim.faults.requests);
  });
  /** What each provider holds now (advertised prefixes, OVH firewalls, Hetzner firewall status, Gcore announces). */
  router.get('/state', (_req, res) => {
    res.json(Object.fromEntries(simulatedProviders.map((provider) => [provider.type, provider.view(stateOf(provider.type))])));
  });
  return router;
}
