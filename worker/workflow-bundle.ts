/**
 * How the workflow bundle is built, wherever it is built (the worker at start, `npm run build`, the
 * tests, the bench); a module of its own, so the build script and the tests need not load the worker.
 *
 * The workflow modules are preloaded: every workflow the worker runs shares one instance of them (the
 * SDK freezes it) instead of instantiating the whole module graph per workflow. They may: they keep no
 * state of their own (pure rules, definitions, functions; test/unit/workflow-modules.test.ts), and a
 * workflow's state lives in its own closures. That took 10,000 idle workflows (1,500 cached) from 963
 * to 718 MiB of worker memory in the bench (README, Benchmarks).
 */
const WORKFLOWS_PATH = require.resolve('../workflows');

export const WORKFLOW_BUNDLE_OPTIONS = { workflowsPath: WORKFLOWS_PATH, preloadModules: [WORKFLOWS_PATH] };
