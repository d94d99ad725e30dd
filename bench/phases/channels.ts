/**
 * Notifications never delay a diversion (issue P, items 3 and 7): 150 of the latency phase's
 * workspaces get a webhook channel whose receiver accepts the connection and never answers
 * (each delivery holds a background slot until its 10 s timeout, then is retried); then the
 * same sequential attacks as the latency round on existing workflows, on those workspaces,
 * taking turns with the baseline. The p50 is compared with that round's, without channels.
 */
import { createServer, type Socket } from 'node:net';
import type { AttackTarget } from '../detector';
import { addHungChannels, removeChannels, type ApiWorkspace } from '../fixtures';
import type { Stack } from '../stack';
import { resolveAll, round, type LatencyRound } from './latency';

export interface ChannelsResult {
  channels: number;
  round: LatencyRound;
  /** The existing-workflow round's p50 of ours, without channels (same run). */
  withoutChannelsP50: number;
  /** p50 with channels / p50 without, minus one (target: within ±10 %). */
  change: number;
  /** Deliveries the receiver had accepted (and never answered) by the end of the round. */
  hungDeliveries: number;
}

/** A receiver that takes every connection and never answers. */
async function neverAnswering(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/never-answers`,
    connections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function measureWithHungChannels(
  stack: Stack,
  workspaces: { api: ApiWorkspace; ours: AttackTarget; baseline: AttackTarget }[],
  warmup: number,
  withoutChannelsP50: number,
  log: (line: string) => void,
): Promise<ChannelsResult> {
  const receiver = await neverAnswering();
  try {
    await addHungChannels(
      stack,
      workspaces.map((w) => w.api.id),
      receiver.url,
    );
    log(`channels: ${workspaces.length} webhook channels that never answer`);
    const ours = workspaces.map((w) => w.ours);
    const baseline = workspaces.map((w) => w.baseline);
    const measured = await round(stack, ours, baseline, 'attack-3', warmup);
    const hungDeliveries = receiver.connections();
    log(`channels: ours p50 ${measured.ours.divert.p50} ms (without channels ${withoutChannelsP50} ms), ${hungDeliveries} deliveries hanging`);
    await resolveAll(stack, [...ours, ...baseline], 'attack-3');
    const change = Math.round((measured.ours.divert.p50 / withoutChannelsP50 - 1) * 1000) / 1000;
    return { channels: workspaces.length, round: measured, withoutChannelsP50, change, hungDeliveries };
  } finally {
    // The channels go before the next phase; deliveries still retrying then fail fast.
    await removeChannels(
      stack,
      workspaces.map((w) => w.api.id),
    );
    await receiver.close();
  }
}
