/** The workflow bundle's entry point: every workflow the worker registers. */
export { workspaceScrubbing } from './workspace';
export { integrationTest } from './integration-test';
