/**
 * One benchmark figure, shared by every benchmark in bench/. Figures, not pass/fail tests:
 * `target` states the goal, the reader compares.
 */
export interface BenchResult {
  /** What was measured, e.g. `local store produce (100 B values, batches of 1000)`. */
  name: string;
  /** The measured figure, in `unit`. */
  value: number;
  /** Unit of `value` (and of `baseline.value`), e.g. `records/s`, `ms`. */
  unit: string;
  /** The same quantity measured in the same run on the simplest equivalent (same machine, same moment). */
  baseline?: { name: string; value: number };
  /** `value / baseline.value`. */
  ratio?: number;
  /** The goal, in words, e.g. `≥ 200,000 records/s`. */
  target?: string;
}
