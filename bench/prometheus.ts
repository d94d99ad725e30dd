/** Prometheus text exposition, as Core (the workers), FerretDB and the Temporal server serve it: parsed into samples (all, or only the metrics named) and summed. */

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePrometheus(text: string, names?: readonly string[]): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of names ? linesOf(text, names) : text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || (names && !names.includes(match[1] as string))) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key as string] = value as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/**
 * The lines that begin with one of `names`, found by searching rather than splitting: the Temporal
 * server's page grows to megabytes of histograms (3.2 MB after a burst), and parsing all of it every
 * half second while the bench waited for the server to finish a wave's timers took five CPU seconds
 * of a thirty-second wait, which the server then lacked on two cores.
 */
function linesOf(text: string, names: readonly string[]): string[] {
  const lines: string[] = [];
  for (const name of names) {
    for (let at = text.startsWith(name) ? 0 : text.indexOf(`\n${name}`); at !== -1; at = text.indexOf(`\n${name}`, at + 1)) {
      const start = text[at] === '\n' ? at + 1 : at;
      const end = text.indexOf('\n', start);
      lines.push(text.slice(start, end === -1 ? undefined : end));
    }
  }
  return lines;
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

/** A server's metrics page, parsed (only the metrics `names`, when given); `what` names the server in the error. */
export async function fetchMetrics(url: string, what: string, names?: readonly string[]): Promise<MetricSample[]> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${what}'s metrics answered ${response.status}`);
  return parsePrometheus(await response.text(), names);
}

/** The sum of a metric over every sample whose labels include `where`. */
export function metricSum(samples: MetricSample[], name: string, where: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}
