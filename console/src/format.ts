/** How times, durations and rates read on screen. Pure functions of their input. */

/** "14:03:07" today, else "2026-01-05 14:03"; the exact ISO time goes in a title. */
export function clock(at: string | number | null | undefined, now = Date.now()): string {
  if (at === null || at === undefined) return '—';
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return String(at);
  const sameDay = new Date(now).toDateString() === date.toDateString();
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return sameDay ? time : `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time.slice(0, 5)}`;
}

export function isoTitle(at: string | number | null | undefined): string | undefined {
  if (at === null || at === undefined) return undefined;
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** "1h 02m", "3m 05s", "42s". */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Time left until `until`: "in 1m 05s", or "due" once passed. */
export function countdown(until: string | null | undefined, now: number): string | null {
  if (!until) return null;
  const left = new Date(until).getTime() - now;
  if (Number.isNaN(left)) return null;
  return left > 0 ? `in ${duration(left)}` : 'due';
}

/** "1.2 Gbit/s", "340 kpps". */
export function rate(value: number | undefined, unit: 'bit/s' | 'pps'): string {
  if (value === undefined) return '—';
  const steps: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  const [factor, prefix] = steps.find(([f]) => Math.abs(value) >= f) ?? [1, ''];
  const scaled = value / factor;
  const shown = scaled >= 100 || factor === 1 ? Math.round(scaled).toString() : scaled.toFixed(1);
  return unit === 'pps' ? `${shown} ${prefix}pps` : `${shown} ${prefix}bit/s`;
}
