import { cpus, loadavg, totalmem } from 'node:os';

/** How a figure is judged against its DESIGN.md §6 target. */
export interface Target {
  readonly op: '>=' | '<=' | '<';
  readonly value: number;
}

/** One measured number, with its unit and, when §6 sets one, its target and verdict. */
export interface Figure {
  readonly benchmark: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: Target;
  /** True / false against the target; absent for figures given for context only. */
  readonly pass?: boolean;
  readonly note?: string;
}

export function figure(benchmark: string, name: string, value: number, unit: string, target?: Target, note?: string): Figure {
  return {
    benchmark,
    name,
    value,
    unit,
    ...(target === undefined ? {} : { target, pass: meets(value, target) }),
    ...(note === undefined ? {} : { note }),
  };
}

function meets(value: number, { op, value: bound }: Target): boolean {
  if (op === '>=') return value >= bound;
  if (op === '<=') return value <= bound;
  return value < bound;
}

export interface MachineInfo {
  node: string;
  platform: string;
  arch: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  /** 1-minute load average when the run started: anything near the core count means noisy figures. */
  loadAverage1m: number;
}

export function machineInfo(): MachineInfo {
  const cpu = cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** Sorted copy's percentile (nearest rank), for latency samples. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** A plain-text table: benchmark, figure, value, target, verdict. */
export function formatTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.benchmark,
    f.name,
    `${formatNumber(f.value)} ${f.unit}`,
    f.target === undefined ? '' : `${f.target.op} ${formatNumber(f.target.value)} ${f.unit}`,
    f.pass === undefined ? '' : f.pass ? 'PASS' : 'MISS',
  ]);
  const header = ['Benchmark', 'Figure', 'Value', 'Target (§6)', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 2 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
