/** Percentiles (nearest rank) and the other summaries the report shows, in milliseconds rounded to 0.1. */
export interface Distribution {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export function distribution(values: number[]): Distribution {
  if (values.length === 0) return { n: 0, p50: NaN, p95: NaN, p99: NaN, mean: NaN, min: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
  return {
    n: sorted.length,
    p50: round(rank(50)),
    p95: round(rank(95)),
    p99: round(rank(99)),
    mean: round(sorted.reduce((sum, v) => sum + v, 0) / sorted.length),
    min: round(sorted[0] as number),
    max: round(sorted[sorted.length - 1] as number),
  };
}

/** Ours divided by the baseline's, per percentile. */
export function ratio(ours: Distribution, baseline: Distribution): { p50: number; p95: number; p99: number } {
  return { p50: round(ours.p50 / baseline.p50, 2), p95: round(ours.p95 / baseline.p95, 2), p99: round(ours.p99 / baseline.p99, 2) };
}

export const mib = (bytes: number): number => round(bytes / 1024 / 1024, 0);
export { round };
