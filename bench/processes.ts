/**
 * Child processes of the bench (Temporal dev server, FerretDB, the worker): spawn with
 * a log file, wait for a port, read resident memory from /proc, stop. Only ever signals
 * the processes it started, by their pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, readdirSync } from 'node:fs';
import { isListening } from '../test/support/net';

export interface Spawned {
  name: string;
  child: ChildProcess;
  logFile: string;
}

export function spawnLogged(name: string, command: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env, user?: { uid: number; gid: number }): Spawned {
  const log = openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', log, log], env, ...(user ?? {}) });
  return { name, child, logFile };
}

export async function waitForPort(port: number, spawned: Spawned, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (spawned.child.exitCode !== null) throw new Error(`${spawned.name} exited at start; see ${spawned.logFile}`);
    if (await isListening(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${spawned.name} did not listen on port ${port} within ${timeoutMs} ms; see ${spawned.logFile}`);
}

/** A process and all its descendants (Linux /proc). */
function processTree(rootPid: number): Set<number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (field 2) may contain spaces; the parent pid follows its closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = new Set([rootPid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (tree.has(parent) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return tree;
}

function sumOverTree(rootPid: number, read: (pid: number) => number): number {
  let total = 0;
  for (const pid of processTree(rootPid)) {
    try {
      total += read(pid);
    } catch {
      // Gone.
    }
  }
  return total;
}

/** Resident memory of a process and its descendants, in bytes. */
export function residentBytes(rootPid: number): number {
  return sumOverTree(rootPid, (pid) => {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  });
}

/** CPU time (user + system) a process and its descendants used so far, in seconds (clock ticks of 1/100 s). */
export function cpuSeconds(rootPid: number): number {
  return sumOverTree(rootPid, (pid) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  });
}

/** SIGTERM, then SIGKILL after the grace period. */
export async function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
