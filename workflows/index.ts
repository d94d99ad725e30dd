/** The workflow bundle's entry point: every workflow the worker registers. */
export { workspaceScrubbing, workspaceScrubbingV2 } from './workspace';
export { integrationTest } from './integration-test';
