/**
 * The key expressions of a Jolt `shift` spec, as fluvio-jolt defines them (github.com/infinyon/
 * fluvio-jolt `SPEC.md`, "Expression Grammar"; `src/dsl/`). No JavaScript Jolt library exists on
 * npm, so this small recursive-descent reader implements that grammar:
 *
 * ```
 * Lhs: AtExpr | DollarSignExpr | SquareExpr | AmpExpr | Pipes
 * Rhs: ('[' IndexOp? ']' | RhsEntry+) RhsPart*      RhsPart: '[' IndexOp? ']' | '.' RhsEntry+
 * RhsEntry: AmpExpr | AtExpr | Key                  IndexOp: AmpExpr | Number | AtExpr
 * AtExpr: '@' ( Index | '(' Index ',' Rhs ')' | '(' Rhs ')' )?      (`@N`: fluvio-jolt's tests use it)
 * DollarSignExpr: '$' NumTuple?    AmpExpr: '&' NumTuple?    NumTuple: '(' Index (',' Index)? ')' | Index
 * SquareExpr: '#' Key              Pipes: Stars ('|' Stars)*    Stars: Key ('*' Key)*
 * ```
 *
 * `&(x)` = `&(x,0)`, `$(x)` = `$(x,0)`, `@(rhs)` = `@(0,rhs)`, a bare `@` is the current value.
 * `@ $ # & [ ] | . , ( ) * \` are escaped with `\`.
 */

/** `&(path, match)` / `$(path, match)`: the `match`-th capture of the key `path` levels up. */
export interface MatchRef {
  readonly path: number;
  readonly match: number;
}

/** An `@(path, rhs)` lookup: the value `path` levels up, then `rhs` into it. */
export interface AtRef {
  readonly path: number;
  readonly rhs: Rhs;
}

/** A left-hand side (a key of a shift spec). */
export type Lhs =
  | { readonly type: 'literal'; readonly key: string }
  /** `a*|b*c`: each alternative is the literal segments between the stars. */
  | { readonly type: 'pipes'; readonly alternatives: readonly (readonly string[])[] }
  | ({ readonly type: 'amp' } & MatchRef)
  | ({ readonly type: 'dollar' } & MatchRef)
  | ({ readonly type: 'at' } & AtRef)
  | { readonly type: 'square'; readonly literal: string };

/** One piece of a key in a right-hand side; adjacent pieces are concatenated (`data-&1`). */
export type RhsEntry = { readonly type: 'key'; readonly text: string } | ({ readonly type: 'amp' } & MatchRef) | ({ readonly type: 'at' } & AtRef);

/** An array index in a right-hand side: `[]` (append), `[3]`, `[&1]`, `[@(1,id)]`. */
export type IndexOp = { readonly type: 'append' } | { readonly type: 'literal'; readonly index: number } | ({ readonly type: 'amp' } & MatchRef) | ({ readonly type: 'at' } & AtRef);

/** A right-hand side: an output (or lookup) path. Empty: the root. */
export type RhsPart = { readonly type: 'key'; readonly entries: readonly RhsEntry[] } | { readonly type: 'index'; readonly op: IndexOp };
export type Rhs = readonly RhsPart[];

/** A key expression that does not follow the grammar. */
export class JoltSyntaxError extends Error {
  constructor(
    readonly expression: string,
    readonly position: number,
    problem: string,
  ) {
    super(`${problem} at position ${position} of "${expression}"`);
    this.name = 'JoltSyntaxError';
  }
}

const SPECIAL = new Set(['@', '$', '#', '&', '[', ']', '|', '.', ',', '(', ')', '*', '\\']);

class Reader {
  position = 0;
  constructor(readonly text: string) {}

  peek(): string | undefined {
    return this.text[this.position];
  }

  done(): boolean {
    return this.position >= this.text.length;
  }

  fail(problem: string): never {
    throw new JoltSyntaxError(this.text, this.position, problem);
  }

  expect(char: string): void {
    if (this.peek() !== char) this.fail(this.done() ? `expected "${char}", found the end` : `expected "${char}", found "${this.peek()}"`);
    this.position++;
  }

  /** A key: characters up to the next unescaped one of `stop` (escapes resolved). */
  key(stop: ReadonlySet<string>): string {
    let out = '';
    while (!this.done()) {
      const char = this.peek() as string;
      if (char === '\\') {
        const next = this.text[this.position + 1];
        if (next === undefined) this.fail('a "\\" must escape a character');
        out += next;
        this.position += 2;
        continue;
      }
      if (stop.has(char)) break;
      out += char;
      this.position++;
    }
    return out;
  }

  number(): number {
    const start = this.position;
    while (!this.done() && /[0-9]/.test(this.peek() as string)) this.position++;
    if (start === this.position) this.fail('expected a number');
    return Number(this.text.slice(start, this.position));
  }

  /** After `&` or `$`: nothing, `N`, `(N)` or `(N,M)`. */
  matchRef(): MatchRef {
    if (this.peek() === '(') {
      this.position++;
      const path = this.number();
      let match = 0;
      if (this.peek() === ',') {
        this.position++;
        match = this.number();
      }
      this.expect(')');
      return { path, match };
    }
    if (!this.done() && /[0-9]/.test(this.peek() as string)) return { path: this.number(), match: 0 };
    return { path: 0, match: 0 };
  }

  /** After `@`: nothing (the current value), `N` (the value N levels up), `(N,rhs)` or `(rhs)`. */
  atRef(): AtRef {
    if (/[0-9]/.test(this.peek() ?? '')) return { path: this.number(), rhs: [] };
    if (this.peek() !== '(') return { path: 0, rhs: [] };
    this.position++;
    let path = 0;
    const mark = this.position;
    if (/[0-9]/.test(this.peek() ?? '')) {
      const number = this.number();
      if (this.peek() === ',') {
        this.position++;
        path = number;
      } else this.position = mark; // `@(12)`: the key "12"
    }
    const rhs = this.rhs(new Set([')']));
    this.expect(')');
    return { path, rhs };
  }

  rhsEntry(stop: ReadonlySet<string>): RhsEntry | undefined {
    const char = this.peek();
    if (char === '&') {
      this.position++;
      return { type: 'amp', ...this.matchRef() };
    }
    if (char === '@') {
      this.position++;
      return { type: 'at', ...this.atRef() };
    }
    const text = this.key(new Set(['&', '@', '[', ']', '.', ...stop]));
    return text === '' ? undefined : { type: 'key', text };
  }

  indexOp(): IndexOp {
    this.expect('[');
    let op: IndexOp;
    const char = this.peek();
    if (char === ']') op = { type: 'append' };
    else if (char === '&') {
      this.position++;
      op = { type: 'amp', ...this.matchRef() };
    } else if (char === '@') {
      this.position++;
      op = { type: 'at', ...this.atRef() };
    } else op = { type: 'literal', index: this.number() };
    this.expect(']');
    return op;
  }

  /** A right-hand side up to the end, or to an unescaped character of `stop` (inside `@(...)`). */
  rhs(stop: ReadonlySet<string> = new Set()): Rhs {
    const parts: RhsPart[] = [];
    const ended = (): boolean => this.done() || stop.has(this.peek() as string);
    const entries = (): RhsEntry[] => {
      const list: RhsEntry[] = [];
      for (let entry = this.rhsEntry(stop); entry; entry = ended() ? undefined : this.rhsEntry(stop)) list.push(entry);
      return list;
    };
    if (ended()) return parts;
    if (this.peek() === '[') parts.push({ type: 'index', op: this.indexOp() });
    else {
      const first = entries();
      if (first.length === 0) this.fail(`unexpected "${this.peek()}"`);
      parts.push({ type: 'key', entries: first });
    }
    while (!ended()) {
      if (this.peek() === '[') parts.push({ type: 'index', op: this.indexOp() });
      else if (this.peek() === '.') {
        this.position++;
        const next = entries();
        if (next.length === 0) this.fail('expected a key after "."');
        parts.push({ type: 'key', entries: next });
      } else this.fail(`unexpected "${this.peek()}"`);
    }
    return parts;
  }

  lhs(): Lhs {
    const char = this.peek();
    let lhs: Lhs;
    if (char === '@') {
      this.position++;
      lhs = { type: 'at', ...this.atRef() };
    } else if (char === '$') {
      this.position++;
      lhs = { type: 'dollar', ...this.matchRef() };
    } else if (char === '&') {
      this.position++;
      lhs = { type: 'amp', ...this.matchRef() };
    } else if (char === '#') {
      this.position++;
      lhs = { type: 'square', literal: this.key(new Set()) };
    } else {
      const alternatives: string[][] = [];
      let plain = true;
      for (;;) {
        const segments = [this.key(SPECIAL)];
        while (this.peek() === '*') {
          this.position++;
          plain = false;
          segments.push(this.key(SPECIAL));
        }
        alternatives.push(segments);
        if (this.peek() !== '|') break;
        this.position++;
        plain = false;
      }
      lhs = plain && alternatives.length === 1 && alternatives[0]!.length === 1 ? { type: 'literal', key: alternatives[0]![0]! } : { type: 'pipes', alternatives };
    }
    if (!this.done()) this.fail(`unexpected "${this.peek()}"`);
    return lhs;
  }
}

/**
 * Parses the left-hand side of a shift spec (a key).
 * @throws JoltSyntaxError with the position of the problem.
 * @example parseLhs('*') // { type: 'pipes', alternatives: [['', '']] }
 */
export function parseLhs(text: string): Lhs {
  return new Reader(text).lhs();
}

/**
 * Parses a right-hand side of a shift spec (an output path such as `data[&1].keys[]`).
 * @throws JoltSyntaxError with the position of the problem.
 */
export function parseRhs(text: string): Rhs {
  const reader = new Reader(text);
  return reader.rhs();
}

/** Whether a left-hand side matches once per level, whatever the input's keys (`@`, `$`, `#`). */
export function isInfallible(lhs: Lhs): boolean {
  return lhs.type === 'at' || lhs.type === 'dollar' || lhs.type === 'square';
}
