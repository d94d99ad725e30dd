/**
 * Divert latency (issue F §1–2): sequential attacks, each from the moment the API received
 * `POST /incidents` to the moment the simulator received the provider's PATCH. One round on
 * workspaces without a workflow (the first signal creates it), one on the same workspaces
 * once their workflows exist and have withdrawn. Our API and the bare baseline take turns,
 * attack by attack, so both see the same machine at the same moment.
 */
import { BASELINE_TASK_QUEUE } from '../baseline/messages';
import { cpuSince, cpuTimes, type CpuTimes } from '../cpu';
import type { AttackTarget } from '../detector';
import { mapBounded } from '../pool';
import { workerSettled } from '../settle';
import type { Stack } from '../stack';
import { distribution, ratio, type Distribution } from '../stats';
import { perItem, taskCounts, type PerItem } from '../task-counts';
import { TASK_QUEUE } from '../../workflows/messages';

export interface LatencySide {
  /** API received the POST → simulator received the PATCH. */
  divert: Distribution;
  /** API received the POST → its 202 was back at the detector. */
  answered: Distribution;
  /** API received the POST → the provider received the first request of the divert (ours: the adapter's read). */
  firstProviderRequest: Distribution;
  perDivert: PerItem;
}

export interface LatencyRound {
  ours: LatencySide;
  baseline: LatencySide;
  /** Ours divided by the baseline's. */
  ratio: { p50: number; p95: number; p99: number };
  /** Both sides together, measured attacks only. */
  cpuSeconds: CpuTimes;
}

export interface LatencyResult {
  warmupAttacks: number;
  newWorkflow: LatencyRound;
  existingWorkflow: LatencyRound;
}

interface Sample {
  divert: number;
  answered: number;
  firstProviderRequest: number;
}

async function attack(stack: Stack, target: AttackTarget, incidentId: string): Promise<Sample> {
  const report = await target.report('start', incidentId);
  if (report.status !== 202) throw new Error(`incident ${incidentId} for ${target.workspaceId} answered ${report.status}`);
  const divertedAt = await stack.simulator.waitForPatch(target.bgpPrefixId, true, report.arrivedAt, 30_000);
  const firstRequestAt = stack.simulator.lastRead(target.bgpPrefixId, report.arrivedAt) ?? divertedAt;
  return {
    divert: divertedAt - report.arrivedAt,
    answered: report.answeredAt - report.arrivedAt,
    firstProviderRequest: firstRequestAt - report.arrivedAt,
  };
}

export async function resolveAll(stack: Stack, targets: AttackTarget[], incidentId: string): Promise<void> {
  await mapBounded(targets, 16, async (target) => {
    const report = await target.report('resolve', incidentId);
    if (report.status !== 202) throw new Error(`resolve of ${incidentId} for ${target.workspaceId} answered ${report.status}`);
    await stack.simulator.waitForPatch(target.bgpPrefixId, false, report.arrivedAt, 60_000);
  });
  await workerSettled(stack.worker, [TASK_QUEUE, BASELINE_TASK_QUEUE]);
}

export async function round(stack: Stack, ours: AttackTarget[], baseline: AttackTarget[], incidentId: string, warmup: number): Promise<LatencyRound> {
  for (let i = 0; i < warmup; i++) {
    await attack(stack, ours[i] as AttackTarget, incidentId);
    await attack(stack, baseline[i] as AttackTarget, incidentId);
  }
  await workerSettled(stack.worker, [TASK_QUEUE, BASELINE_TASK_QUEUE]);
  const counts = async () => ({
    ours: await taskCounts(stack.worker, TASK_QUEUE, 'cloudflare.advertise'),
    baseline: await taskCounts(stack.worker, BASELINE_TASK_QUEUE, 'advertisePrefix'),
  });
  const before = await counts();
  const cpu = cpuTimes(stack);
  const samples = { ours: [] as Sample[], baseline: [] as Sample[] };
  for (let i = warmup; i < ours.length; i++) {
    samples.ours.push(await attack(stack, ours[i] as AttackTarget, incidentId));
    samples.baseline.push(await attack(stack, baseline[i] as AttackTarget, incidentId));
  }
  // The work that follows a divert (its audit record, the workflow task after the PATCH) belongs to it.
  await workerSettled(stack.worker, [TASK_QUEUE, BASELINE_TASK_QUEUE]);
  const after = await counts();
  const side = (name: 'ours' | 'baseline'): LatencySide => ({
    divert: distribution(samples[name].map((s) => s.divert)),
    answered: distribution(samples[name].map((s) => s.answered)),
    firstProviderRequest: distribution(samples[name].map((s) => s.firstProviderRequest)),
    perDivert: perItem(before[name], after[name], samples[name].length),
  });
  const result = { ours: side('ours'), baseline: side('baseline') };
  return { ...result, ratio: ratio(result.ours.divert, result.baseline.divert), cpuSeconds: cpuSince(cpu, stack) };
}

export async function measureDivertLatency(stack: Stack, ours: AttackTarget[], baseline: AttackTarget[], warmup: number, log: (line: string) => void): Promise<LatencyResult> {
  const newWorkflow = await round(stack, ours, baseline, 'attack-1', warmup);
  log(`divert latency, new workflows: ours p50 ${newWorkflow.ours.divert.p50} ms, baseline p50 ${newWorkflow.baseline.divert.p50} ms`);
  await resolveAll(stack, [...ours, ...baseline], 'attack-1');
  const existingWorkflow = await round(stack, ours, baseline, 'attack-2', warmup);
  log(`divert latency, existing workflows: ours p50 ${existingWorkflow.ours.divert.p50} ms, baseline p50 ${existingWorkflow.baseline.divert.p50} ms`);
  await resolveAll(stack, [...ours, ...baseline], 'attack-2');
  return { warmupAttacks: warmup, newWorkflow, existingWorkflow };
}
