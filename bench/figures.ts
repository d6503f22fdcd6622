// The figures one run of a section reports, so `npm run bench` can repeat the cheap sections and
// print the minimum and the median of each across runs: the machine is shared, and one run can be
// disturbed by another job; the spread says how much.
export type Figures = Record<string, number>;

const fmt = (value: number): string => (Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A markdown table: one row per figure with its minimum, median and every run's value. */
export function summariseRuns(runs: Figures[]): string[] {
  const names = [...new Set(runs.flatMap((figures) => Object.keys(figures)))];
  const lines = [`| figure (${runs.length} runs) | min | median | each run |`, '|---|---:|---:|---|'];
  for (const name of names) {
    const values = runs.map((figures) => figures[name]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (values.length === 0) continue;
    lines.push(`| ${name} | ${fmt(Math.min(...values))} | ${fmt(median(values))} | ${values.map(fmt).join(', ')} |`);
  }
  return lines;
}
