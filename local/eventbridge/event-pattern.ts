/**
 * EventBridge event patterns, checked once and turned into a tree the matcher walks.
 * Semantics follow the EventBridge user guide ("Event patterns", "Content filtering",
 * "Comparison operators") and aws/event-ruler, which EventBridge runs.
 */

/** A JSON scalar as it can appear in an event or as an exact value in a pattern. */
export type Scalar = string | number | boolean | null;

/** One entry of a leaf array: the field matches if any entry of its array matches. */
export type ValueMatcher =
  | { readonly op: 'equals'; readonly value: Scalar }
  | { readonly op: 'prefix'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly op: 'suffix'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly op: 'equals-ignore-case'; readonly value: string }
  | { readonly op: 'wildcard'; readonly regex: RegExp }
  | { readonly op: 'numeric'; readonly lower?: Bound; readonly upper?: Bound }
  | { readonly op: 'exists'; readonly value: boolean }
  /** Matches a present value that none of `excluded` matches. */
  | { readonly op: 'anything-but'; readonly excluded: readonly ValueMatcher[] };

export interface Bound {
  readonly value: number;
  readonly inclusive: boolean;
}

export type FieldRule =
  | { readonly key: string; readonly kind: 'nested'; readonly pattern: CompiledPattern }
  | { readonly key: string; readonly kind: 'leaf'; readonly matchers: readonly ValueMatcher[] };

/** All `fields` must match, and in every `$or` group at least one alternative must. */
export interface CompiledPattern {
  readonly fields: readonly FieldRule[];
  readonly anyOf: readonly (readonly CompiledPattern[])[];
}

export type CompileResult = { readonly ok: true; readonly pattern: CompiledPattern } | { readonly ok: false; readonly reason: string };

class PatternError extends Error {}

/** Checks a pattern the way PutRule would; the reason names the offending path. */
export function compileEventPattern(pattern: unknown): CompileResult {
  try {
    return { ok: true, pattern: compileObject(pattern, '') };
  } catch (error) {
    if (error instanceof PatternError) return { ok: false, reason: error.message };
    throw error;
  }
}

function fail(path: string, message: string): never {
  throw new PatternError(`Event pattern is not valid at ${path || '(root)'}: ${message}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compileObject(pattern: unknown, path: string): CompiledPattern {
  if (!isPlainObject(pattern)) fail(path, 'expected a JSON object');
  const entries = Object.entries(pattern);
  if (entries.length === 0) fail(path, 'empty objects are not allowed');
  const fields: FieldRule[] = [];
  const anyOf: CompiledPattern[][] = [];
  for (const [key, value] of entries) {
    const at = path ? `${path}.${key}` : key;
    if (key === '$or') anyOf.push(compileOr(value, at));
    else if (Array.isArray(value)) fields.push({ key, kind: 'leaf', matchers: compileLeaf(value, at) });
    else if (isPlainObject(value)) fields.push({ key, kind: 'nested', pattern: compileObject(value, at) });
    else fail(at, 'match values must be in an array, e.g. ["value"]');
  }
  return { fields, anyOf };
}

function compileOr(value: unknown, path: string): CompiledPattern[] {
  if (!Array.isArray(value) || value.length < 2) fail(path, '$or needs an array of at least two patterns');
  return value.map((alternative, index) => compileObject(alternative, `${path}[${index}]`));
}

function compileLeaf(values: unknown[], path: string): ValueMatcher[] {
  if (values.length === 0) fail(path, 'empty arrays are not allowed');
  return values.map((value, index) => compileValue(value, `${path}[${index}]`));
}

function compileValue(value: unknown, path: string): ValueMatcher {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return { op: 'equals', value };
  if (typeof value === 'number') return { op: 'equals', value };
  if (!isPlainObject(value)) fail(path, 'a match value must be a string, number, boolean, null or an operator object');
  const keys = Object.keys(value);
  if (keys.length !== 1) fail(path, `an operator object has exactly one key, got ${keys.length}`);
  const op = keys[0] as string;
  const argument = value[op];
  switch (op) {
    case 'prefix':
    case 'suffix':
      return compileAffix(op, argument, `${path}.${op}`);
    case 'equals-ignore-case':
      return { op, value: requireString(argument, `${path}.${op}`) };
    case 'wildcard':
      return { op, regex: compileWildcard(requireString(argument, `${path}.${op}`), `${path}.${op}`) };
    case 'numeric':
      return compileNumeric(argument, `${path}.numeric`);
    case 'exists':
      if (typeof argument !== 'boolean') fail(`${path}.exists`, 'exists takes true or false');
      return { op, value: argument };
    case 'anything-but':
      return { op, excluded: compileAnythingBut(argument, `${path}.anything-but`) };
    case 'cidr':
      return fail(path, 'cidr matching is not supported by the local EventBridge');
    default:
      return fail(path, `unknown operator "${op}"`);
  }
}

function requireString(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'expected a string');
  return value;
}

function compileAffix(op: 'prefix' | 'suffix', argument: unknown, path: string): ValueMatcher {
  if (typeof argument === 'string') return { op, value: argument, ignoreCase: false };
  if (isPlainObject(argument) && Object.keys(argument).length === 1 && 'equals-ignore-case' in argument) {
    return { op, value: requireString(argument['equals-ignore-case'], `${path}.equals-ignore-case`), ignoreCase: true };
  }
  return fail(path, `${op} takes a string or { "equals-ignore-case": string }`);
}

/** `*` is any run of characters, `\*` a literal star, `\\` a backslash; `**` is rejected, as in EventBridge. */
function compileWildcard(source: string, path: string): RegExp {
  let regex = '';
  for (let i = 0; i < source.length; i++) {
    const char = source[i] as string;
    if (char === '\\') {
      const next = source[i + 1];
      if (next !== '*' && next !== '\\') fail(path, 'a backslash may only escape * or \\');
      regex += escapeRegExp(next);
      i++;
    } else if (char === '*') {
      if (source[i + 1] === '*') fail(path, 'consecutive wildcard characters are not allowed');
      regex += '.*';
    } else {
      regex += escapeRegExp(char);
    }
  }
  return new RegExp(`^${regex}$`, 's');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compileNumeric(argument: unknown, path: string): ValueMatcher {
  if (!Array.isArray(argument) || argument.length === 0 || argument.length % 2 !== 0 || argument.length > 4) {
    fail(path, 'numeric takes ["=", n], or one or two comparisons like [">", 0, "<=", 5]');
  }
  let lower: Bound | undefined;
  let upper: Bound | undefined;
  for (let i = 0; i < argument.length; i += 2) {
    const operator = argument[i];
    const value = argument[i + 1];
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${path}[${i + 1}]`, 'expected a number');
    if (operator === '=') {
      if (argument.length !== 2) fail(path, '"=" cannot be combined with other comparisons');
      return { op: 'numeric', lower: { value, inclusive: true }, upper: { value, inclusive: true } };
    }
    if (operator === '>' || operator === '>=') {
      if (lower) fail(path, 'only one lower bound is allowed');
      lower = { value, inclusive: operator === '>=' };
    } else if (operator === '<' || operator === '<=') {
      if (upper) fail(path, 'only one upper bound is allowed');
      upper = { value, inclusive: operator === '<=' };
    } else {
      fail(`${path}[${i}]`, `unknown comparison ${JSON.stringify(operator)}`);
    }
  }
  if (lower && upper && lower.value > upper.value) fail(path, 'the lower bound is above the upper bound');
  return { op: 'numeric', ...(lower && { lower }), ...(upper && { upper }) };
}

/** anything-but takes a value, a list of only strings or only numbers, or one string operator. */
function compileAnythingBut(argument: unknown, path: string): ValueMatcher[] {
  if (typeof argument === 'string' || typeof argument === 'number') return [{ op: 'equals', value: argument }];
  if (Array.isArray(argument)) {
    const allStrings = argument.every((item) => typeof item === 'string');
    const allNumbers = argument.every((item) => typeof item === 'number');
    if (argument.length === 0 || !(allStrings || allNumbers)) fail(path, 'a list must hold only strings or only numbers');
    return argument.map((value: string | number) => ({ op: 'equals', value }));
  }
  if (isPlainObject(argument) && Object.keys(argument).length === 1) {
    const [op, inner] = Object.entries(argument)[0] as [string, unknown];
    const at = `${path}.${op}`;
    if (op === 'prefix' || op === 'suffix') return [{ op, value: requireString(inner, at), ignoreCase: false }];
    if (op === 'equals-ignore-case' || op === 'wildcard') {
      const list = Array.isArray(inner) ? inner : [inner];
      if (list.length === 0) fail(at, 'empty arrays are not allowed');
      return list.map((item, index) => {
        const text = requireString(item, Array.isArray(inner) ? `${at}[${index}]` : at);
        return op === 'wildcard' ? { op, regex: compileWildcard(text, at) } : { op, value: text };
      });
    }
  }
  return fail(path, 'anything-but takes a string, a number, a list, or one of prefix, suffix, equals-ignore-case, wildcard');
}
