/**
 * Reads a .cpuprofile (BENCH_CPU_PROFILE_DIR) and prints where a thread was busy: its busy time per
 * second since the profile began (to find a wave: the profiles begin with their process, not with the
 * bench), then, within `--from`/`--to` seconds of that, the functions and files that took the most
 * time themselves. A profile has no wall-clock time of the bench's, so a wave is found by its shape.
 *
 *   npx ts-node bench/profile-summary.ts <file.cpuprofile> [--from S] [--to S] [--top N]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Samples taken while the thread waited; `(program)` (V8's own native work) and the garbage collector count as busy. */
const IDLE = '(idle)';
const seconds = (us: number) => (us / 1e6).toFixed(2);
/** Shortens a frame's location to its package or the project's path. */
const where = (url: string) => url.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+)\/.*$/, '$1').replace(/^file:\/\/\/tmp\/[^/]+\//, 'bundle:') || '(native)';

function summarize(profile: Profile, from: number, to: number, top: number): string[] {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const perSecond = new Map<number, number>();
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let busy = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    const frame = nodes.get(id)?.callFrame;
    if (!frame || frame.functionName === IDLE) return;
    const second = Math.floor((at - profile.startTime) / 1e6);
    perSecond.set(second, (perSecond.get(second) ?? 0) + delta);
    if (second < from || second >= to) return;
    busy += delta;
    const file = where(frame.url);
    const name = `${(frame.functionName || '(anonymous)').slice(0, 80)} ${file}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + delta);
    byFile.set(file, (byFile.get(file) ?? 0) + delta);
  });
  const ranked = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `  ${seconds(v).padStart(7)} s  ${k}`);
  const timeline = [...perSecond].sort((a, b) => a[0] - b[0]).map(([s, us]) => `${s}:${seconds(us)}`);
  return [
    `busy per second since the profile began (second:busy s): ${timeline.join(' ')}`,
    `busy from ${from} s to ${Number.isFinite(to) ? `${to} s` : 'the end'}: ${seconds(busy)} s`,
    'most time in the function itself:',
    ...ranked(byFunction),
    'by package or file:',
    ...ranked(byFile),
  ];
}

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value)) throw new Error(`${name} needs a number`);
  return value;
}

const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!file) {
  console.error('usage: npx ts-node bench/profile-summary.ts <file.cpuprofile> [--from S] [--to S] [--top N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
console.log(summarize(profile, option(args, '--from', 0), option(args, '--to', Infinity), option(args, '--top', 25)).join('\n'));
