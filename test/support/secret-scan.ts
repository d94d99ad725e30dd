/**
 * The suite-wide secret scan. Every test file records the credentials it creates and
 * everything an outsider could read: API responses, log lines (the Temporal runtime's, the
 * worker's and API's stdout/stderr, child processes'), adapter outcomes and workflow
 * histories fetched from Temporal. Records are appended synchronously to files in
 * SECRET_SCAN_DIR (made by global setup), so nothing is lost when a file ends; global
 * teardown then looks for every credential of the whole run in every record of the whole
 * run, prints the figures and fails the run on any hit.
 */
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type EvidenceKind = 'api-response' | 'log-line' | 'workflow-history' | 'adapter-outcome';

function file(name: string): string | undefined {
  const dir = process.env.SECRET_SCAN_DIR;
  return dir ? join(dir, `${name}-${process.pid}.jsonl`) : undefined;
}

/** Credentials a test created: none may appear in any evidence of the run. */
export function recordSecrets(...secrets: string[]): void {
  const path = file('secrets');
  if (path && secrets.length > 0) appendFileSync(path, secrets.map((s) => `${JSON.stringify(s)}\n`).join(''));
}

/** Text an outsider could read (one record per response, line, history or outcome). */
export function recordEvidence(kind: EvidenceKind, ...texts: string[]): void {
  const path = file('evidence');
  if (path && texts.length > 0) appendFileSync(path, texts.map((text) => `${JSON.stringify({ kind, text })}\n`).join(''));
}

export interface ScanResult {
  secrets: number;
  records: Record<EvidenceKind, number>;
  /** Credential (masked) → evidence kinds it was found in. */
  found: { secret: string; kinds: EvidenceKind[] }[];
}

const mask = (secret: string) => `${secret.slice(0, 3)}…(${secret.length} chars)`;

/** Reads every record of the run in `dir` and looks for every credential in each. */
export function scanDirectory(dir: string): ScanResult {
  const files = readdirSync(dir);
  const lines = (prefix: string) =>
    files
      .filter((f) => f.startsWith(prefix))
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
      .filter((line) => line.length > 0);
  const secrets = [...new Set(lines('secrets-').map((line) => JSON.parse(line) as string))].filter((s) => s.length >= 6);
  const records: ScanResult['records'] = { 'api-response': 0, 'log-line': 0, 'workflow-history': 0, 'adapter-outcome': 0 };
  const hits = new Map<string, Set<EvidenceKind>>();
  for (const line of lines('evidence-')) {
    const { kind, text } = JSON.parse(line) as { kind: EvidenceKind; text: string };
    records[kind] += 1;
    for (const secret of secrets) {
      if (text.includes(secret)) hits.set(secret, (hits.get(secret) ?? new Set()).add(kind));
    }
  }
  return { secrets: secrets.length, records, found: [...hits].map(([secret, kinds]) => ({ secret: mask(secret), kinds: [...kinds] })) };
}
