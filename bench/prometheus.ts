/** Prometheus text exposition, as Core (the workers) and FerretDB serve it: parsed into samples and summed. */

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePrometheus(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key as string] = value as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** A metric's samples summed by one label's value; samples without the label count under `missing` (left out without it). */
export function sumByLabel(samples: MetricSample[], name: string, label: string, missing?: string): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const s of samples) {
    const key = s.labels[label] ?? missing;
    if (s.name === name && key !== undefined) sums[key] = (sums[key] ?? 0) + s.value;
  }
  return sums;
}

/** A server's metrics page, parsed; `what` names the server in the error. */
export async function fetchMetrics(url: string, what: string): Promise<MetricSample[]> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${what}'s metrics answered ${response.status}`);
  return parsePrometheus(await response.text());
}

/** The sum of a metric over every sample whose labels include `where`. */
export function metricSum(samples: MetricSample[], name: string, where: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}
