/** One clock for every timestamp the bench compares: monotonic, sub-millisecond, in ms. All stamps are taken in the bench process. */
import { performance } from 'node:perf_hooks';

export const now = (): number => performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
