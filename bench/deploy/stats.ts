/** Nearest-rank percentile (`p` in 0…100) of ascending `sorted` values. @throws Error when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no values');
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Median (nearest rank) of `values`, in any order. */
export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** `value` rounded to `digits` decimals (for table figures). */
export function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}
