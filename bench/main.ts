/**
 * `npm run bench`: starts its own stack (Temporal dev server, FerretDB, simulator, worker
 * process, API, bare baseline), measures issue F's figures in order (divert latency
 * against the baseline, burst, history growth, then scale, which leaves 10,000 workflows
 * behind), writes bench/results.json and bench/results.md and prints the table. Timings
 * are reported, never asserted; a step that does not happen fails the run.
 */
import { BASELINE_TASK_QUEUE } from './baseline/messages';
import { now } from './clock';
import { loadBenchConfig, TEMPORAL_STORES } from './config';
import { apiTarget, baselineTarget } from './detector';
import { createApiWorkspaces, createBaselineWorkspaces } from './fixtures';
import { describeMachine } from './machine';
import { measureBurst, measureSweep } from './phases/burst';
import { measureWithHungChannels } from './phases/channels';
import { measureHistoryGrowth } from './phases/history';
import { measureDivertLatency } from './phases/latency';
import { beforeOpening, measureScale, openIdleWorkflows } from './phases/scale';
import { measureStoreReads } from './phases/store-reads';
import { writeResults, type BenchResults } from './report';
import { startStack } from './stack';
import { WORKER_MALLOC_ARENA_MAX } from './worker-client';
import { profileUntilExit } from './cpu-profile';
import { DEFAULT_WORKER_TUNING } from '../worker/tuning';
import { TASK_QUEUE } from '../workflows/messages';

const names = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

async function main(): Promise<void> {
  // The bench process: our API, the baseline's endpoint and the load (BENCH_CPU_PROFILE_DIR).
  const writeProfile = profileUntilExit(process.env.BENCH_CPU_PROFILE_DIR, 'bench');
  const config = loadBenchConfig();
  const machine = describeMachine();
  const started = now();
  const log = (line: string) => process.stdout.write(`[${((now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  log(`bench on ${machine.cores} cores (${machine.cpuModel}), ${machine.temporal}; phases: ${config.phases.join(', ')}`);
  const runs = (phase: (typeof config.phases)[number]) => config.phases.includes(phase);

  const stack = await startStack(config, log);
  // Interrupted: stop the servers this run started rather than leave them behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stack.stop().finally(() => process.exit(130)));
  }
  try {
    const attacks = runs('latency') || runs('channels') ? config.latencyAttacks + config.warmupAttacks : 0;
    const latencyWorkspaces = await createApiWorkspaces(stack, names('latency', attacks));
    const burstWorkspaces = await createApiWorkspaces(stack, names('burst', runs('burst') ? config.burstWorkspaces : 0));
    const [historyWorkspace] = await createApiWorkspaces(stack, ['history']);
    const stored = latencyWorkspaces.length + burstWorkspaces.length + 1;
    log(`${stored} workspaces stored, each with a Cloudflare integration`);
    const results: BenchResults = {
      date: new Date().toISOString(),
      machine,
      setup: {
        temporalStore: TEMPORAL_STORES[config.temporalStore],
        applicationStore: stack.storeDescription,
        workerTuning: config.tuning,
        shippedTuning: DEFAULT_WORKER_TUNING,
        experimentalWorkerOptions: config.experiments.workerOptions,
        ...(config.experiments.intakeKeepAfterMs !== undefined ? { intakeKeepAfterMs: config.experiments.intakeKeepAfterMs } : {}),
        workerLogLevel: config.workerLogLevel,
        notes: [
          'Divert latency: from the moment our API (or the baseline endpoint) received the POST to the moment the simulator received the provider PATCH; stamped on the system monotonic clock, the first in the bench process, the second in the simulator process.',
          'The provider simulator runs in a process of its own (as the provider is not in our API process in production): before the twelfth session it shared the event loop of the API, the baseline endpoint and the load, and each of our operations costs it two requests (the read before the write) against the baseline one.',
          `Our attacks and the baseline's alternate one by one; the first ${config.warmupAttacks} of each kind per round are warm-up and not counted.`,
          `The baseline (bench/baseline/) is signal-with-start of a one-activity workflow on its own task queue (${BASELINE_TASK_QUEUE}) and worker, in its own worker process beside ours (same settings, same Temporal server), behind an express endpoint without authentication or database; its activity sends only the PATCH. Ours also authenticates the key and reads the configuration in the database, loads and decrypts the credentials, and reads the prefix before patching it.`,
          'Our workspaces get their workflow when their integration is created, as the API does (P2): a first attack is a signal to a running workflow; the baseline creates its workflow with the attack (signal-with-start).',
          "Our workspaces read the provider's status (reconciliation) an hour after a diversion, not 60 s: each diversion still starts that timer, but no phase's status reads run during a later phase (before, they fell into whichever burst came next, ours or the baseline's, which has none).",
          'Scale workflows are opened with the Temporal client (signal-with-start, as the API does) for workspaces without integrations; signals alternate incidentResolved and incidentStarted.',
          "Channels phase: the first workspaces of the latency phase get a webhook channel whose receiver (on loopback, allowed with OUTBOUND_ALLOW in the worker) accepts connections and never answers; each divert and withdraw then holds a background slot for the 10 s delivery timeout, and is retried. Compared with the latency phase's existing-workflow round.",
          `Resident memory is VmRSS from /proc of our worker process (the baseline's worker runs in another, measured beside it) and of the Temporal dev server process; the workers run under ts-node (as npm run worker does) with prebuilt workflow bundles and glibc's malloc arenas capped at ${WORKER_MALLOC_ARENA_MAX} (MALLOC_ARENA_MAX, as the image and npm run worker set it).`,
        ],
      },
      wallTimeSeconds: 0,
      storeReads: await measureStoreReads(stack, [...latencyWorkspaces, ...burstWorkspaces, historyWorkspace!], stored),
    };
    log(`store reads: key lookup ${results.storeReads.authenticateKeyMs} ms, config snapshot ${results.storeReads.configSnapshotMs} ms`);

    const baselineWorkspaces = await createBaselineWorkspaces(stack, names('latency', attacks));
    const oursTargets = latencyWorkspaces.map((ws) => apiTarget(stack.api, ws));
    const baselineTargets = baselineWorkspaces.map((ws) => baselineTarget(stack.baselineApi, ws));
    if (runs('latency')) {
      results.divertLatency = await measureDivertLatency(stack, oursTargets, baselineTargets, config.warmupAttacks, log);
    }
    // History next (about a minute, one workspace, no timing target): the baseline's activities of the latency
    // phase fire their 60 s start-to-close timers meanwhile, about ten a second, instead of during our burst waves.
    if (runs('history')) {
      results.history = await measureHistoryGrowth(stack, historyWorkspace!, config.historyCycles, log);
      log(`history: ${results.history.eventsPerCycle} events per cycle, ${results.history.runs.length} runs, at most ${results.history.maxEventsInOneRun} events in a run`);
    }
    if (runs('burst')) {
      results.burst = await measureBurst(
        stack,
        burstWorkspaces.map((ws) => apiTarget(stack.api, ws)),
        config.burstWindowMs,
        TASK_QUEUE,
        log,
      );
      results.burstSweep = await measureSweep(stack);
      log(`burst: the incident-record sweep folded ${results.burstSweep.folded} resolves in ${results.burstSweep.ms} ms`);
      if (config.burstBaseline) {
        const baselineBurst = await createBaselineWorkspaces(stack, names('burst', config.burstWorkspaces));
        log('burst: the same for the bare baseline');
        results.burstBaseline = await measureBurst(
          stack,
          baselineBurst.map((ws) => baselineTarget(stack.baselineApi, ws)),
          config.burstWindowMs,
          BASELINE_TASK_QUEUE,
          log,
        );
      }
    }
    if (runs('channels') && results.divertLatency) {
      const count = Math.min(config.hungChannels, latencyWorkspaces.length);
      const workspaces = latencyWorkspaces.slice(0, count).map((api, i) => ({ api, ours: oursTargets[i]!, baseline: baselineTargets[i]! }));
      results.hungChannels = await measureWithHungChannels(stack, workspaces, config.warmupAttacks, results.divertLatency.existingWorkflow.ours.divert.p50, log);
    }
    if (runs('scale')) {
      const opening = await openIdleWorkflows(stack, config.scaleWorkflows, await beforeOpening(stack));
      results.scale = await measureScale(stack, opening, { signals: config.scaleSignals, signalConcurrency: config.signalConcurrency }, log);
    }
    results.wallTimeSeconds = Math.round((now() - started) / 1000);
    const outputDir = process.env.BENCH_OUTPUT_DIR ?? __dirname;
    const table = writeResults(outputDir, results);
    process.stdout.write(`\n${table}\nwritten to ${outputDir}/results.json and results.md\n`);
  } finally {
    await writeProfile();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
