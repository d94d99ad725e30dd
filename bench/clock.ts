/**
 * One clock for every timestamp the bench compares: monotonic, sub-millisecond, in ms. It is the
 * system's monotonic clock (CLOCK_MONOTONIC on Linux), the same in every process, so the stamps the
 * simulator process takes compare with those taken in the bench process.
 */
export const now = (): number => Number(process.hrtime.bigint()) / 1e6;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
