/** The machine and software the figures were measured on, for the report's header. */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, temporalCliPath } from '../test/support/tools';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  temporal: string;
  ferretdb: string;
}

function versionOf(binary: string, args: string[]): string {
  try {
    return execFileSync(binary, args, { encoding: 'utf8' }).split('\n')[0]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): Machine {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
    temporal: versionOf(temporalCliPath(), ['--version']).replace(/^temporal version /, 'Temporal CLI '),
    ferretdb: `FerretDB ${versionOf(join(REPO_ROOT, '.tools', 'ferretdb'), ['--version']).replace(/^version: /, '')}`,
  };
}
