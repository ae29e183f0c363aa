/** One CloudWatch Embedded Metric Format line, parsed (the keys tests look at). */
export interface EmfLine {
  _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [key: string]: unknown;
}

/** The EMF lines among `text`'s lines (JSON objects with an `_aws.CloudWatchMetrics` key). */
export function emfLines(text: string): EmfLine[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as EmfLine)
    .filter((line) => Array.isArray(line._aws?.CloudWatchMetrics));
}

/** The values of a line's declared metrics: name → value (what CloudWatch extracts). */
export function emfValues(line: EmfLine): Record<string, number> {
  const names = line._aws.CloudWatchMetrics.flatMap((directive) => directive.Metrics.map((metric) => metric.Name));
  return Object.fromEntries(names.map((name) => [name, line[name] as number]));
}

/**
 * Runs `fn` while recording what is written to `process.stdout` (where EMF lines go), without
 * letting it through; returns `fn`'s outcome and the EMF lines written.
 */
export async function captureStdoutEmf<T>(fn: () => Promise<T>): Promise<{ outcome: { value: T } | { error: unknown }; lines: EmfLine[] }> {
  let text = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    const outcome = await fn().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    return { outcome, lines: emfLines(text) };
  } finally {
    spy.mockRestore();
  }
}
