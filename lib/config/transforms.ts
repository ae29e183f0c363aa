import { closeSync, openSync, readSync } from 'node:fs';
import { ErrorCode } from '../core/errors';
import { TopicNameSchema } from '../schema/fields';
import { knownTransformNames, resolveTransform, SMARTMODULE_NAME, type TransformRegistry, type TransformStep } from '../transforms';
import { quoteList } from './errors';
import { suggestName, toIssueDetails } from './issues';
import type { IssueDetail, PathSegment } from './yaml-source';

/** The first bytes of a WebAssembly binary. */
function isWebAssembly(path: string): boolean | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const header = Buffer.alloc(4);
    return readSync(fd, header, 0, 4, 0) === 4 && header.equals(Buffer.from([0, 0x61, 0x73, 0x6d]));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The dead-letter topic of a config's topic: `<topic>-dlq`. */
export function deadLetterTopicOf(topic: string): string {
  return `${topic}-dlq`;
}

/**
 * Checks a config's validated `transforms:` against a transforms registry: every `uses:` names a
 * built-in transform or an existing SmartModule file (`baseDir`: the config file's directory), a
 * built-in's `with:` is what it takes (its strict schema; a bad Jolt spec or regex is located at the
 * offending YAML node), the WebAssembly limits are only set on `.wasm` steps, and a dead-letter
 * topic name is valid.
 * @param skip - whether an issue at a path must not be reported (a deferred secret's placeholder).
 * @returns issue details with paths from the document root (`transforms[1].with.spec…`).
 */
export function transformIssues(steps: readonly TransformStep[], context: { registry: TransformRegistry; baseDir: string; topic: string; skip?: (path: readonly PathSegment[]) => boolean }): IssueDetail[] {
  const issues: IssueDetail[] = [];
  const add = (detail: IssueDetail): void => {
    if (!context.skip?.(detail.path)) issues.push(detail);
  };
  for (const [index, step] of steps.entries()) {
    const at = (...path: PathSegment[]): PathSegment[] => ['transforms', index, ...path];
    const resolved = resolveTransform(step.uses, context.registry, context.baseDir);
    if (resolved.type === 'unknown') {
      const known = knownTransformNames(context.registry);
      const name = SMARTMODULE_NAME.test(step.uses) ? step.uses.slice(0, step.uses.indexOf('@')) : step.uses;
      const suggestion = suggestName(name, context.registry.names);
      const hint = suggestion ? `did you mean "${suggestion}${step.uses.slice(name.length)}"? ` : '';
      const expected = `expected one of ${quoteList(known)}`;
      add({ code: ErrorCode.CONFIG_UNKNOWN_TRANSFORM, path: at('uses'), detail: `unknown SmartModule {value}, ${hint}${expected}`, expected, ...(suggestion ? { suggestion } : {}) });
      continue;
    }
    if (resolved.type === 'wasm') {
      const wasm = isWebAssembly(resolved.path);
      if (wasm === undefined) add({ code: ErrorCode.CONFIG_INVALID_VALUE, path: at('uses'), detail: `SmartModule file {value} not found (looked for ${resolved.path})` });
      else if (!wasm) add({ code: ErrorCode.CONFIG_INVALID_VALUE, path: at('uses'), detail: `SmartModule file {value} is not WebAssembly (${resolved.path} has no \\0asm header)` });
    } else {
      const result = resolved.definition.params.safeParse(step.with, { reportInput: true });
      if (!result.success) {
        for (const detail of toIssueDetails(result.error.issues, { schema: resolved.definition.params }).details) add({ ...detail, path: at('with', ...detail.path) });
      }
      for (const key of ['timeout', 'max_memory'] as const) {
        if (step[key] !== undefined) add({ code: ErrorCode.CONFIG_INVALID_VALUE, path: at(key), target: 'key', detail: `${key} applies to SmartModule .wasm files only; ${step.uses} is built in` });
      }
    }
    if (step.on_error === 'dead-letter' && !TopicNameSchema.safeParse(deadLetterTopicOf(context.topic)).success) {
      add({ code: ErrorCode.CONFIG_INVALID_VALUE, path: at('on_error'), detail: `invalid value {value}: the dead-letter topic "${deadLetterTopicOf(context.topic)}" is not a valid topic name (at most 63 characters); use a shorter topic` });
    }
  }
  return issues;
}
