import { compileEventPattern, type CompiledPattern, type FieldRule, type Scalar, type ValueMatcher } from './event-pattern';

/**
 * Whether an EventBridge event (the envelope: source, detail-type, detail, …) matches a
 * pattern. Throws on an invalid pattern, which is a wiring bug; the bus compiles its rules
 * once with `compileEventPattern` and calls `matchesCompiledPattern`.
 */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  const compiled = compileEventPattern(pattern);
  if (!compiled.ok) throw new Error(compiled.reason);
  return matchesCompiledPattern(compiled.pattern, event);
}

export function matchesCompiledPattern(pattern: CompiledPattern, event: unknown): boolean {
  return matchObject(pattern, isPlainObject(event) ? event : undefined);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `object` is undefined when the path is missing, so only `exists: false` style rules can hold. */
function matchObject(pattern: CompiledPattern, object: Record<string, unknown> | undefined): boolean {
  return (
    pattern.fields.every((field) => matchField(field, object?.[field.key])) &&
    pattern.anyOf.every((alternatives) => alternatives.some((alternative) => matchObject(alternative, object)))
  );
}

function matchField(field: FieldRule, value: unknown): boolean {
  if (field.kind === 'nested') return matchNested(field.pattern, value);
  const leaves = leafValues(value);
  return field.matchers.some((matcher) =>
    matcher.op === 'exists' ? matcher.value === leaves.length > 0 : leaves.some((leaf) => matchValue(matcher, leaf)),
  );
}

/**
 * An array of objects is "crushed" into its parent field, but all fields of one nested
 * pattern must come from the same element (event-ruler's array-consistent matching).
 */
function matchNested(pattern: CompiledPattern, value: unknown): boolean {
  if (isPlainObject(value)) return matchObject(pattern, value);
  const elements = Array.isArray(value) ? objectElements(value) : [];
  if (elements.length === 0) return matchObject(pattern, undefined);
  return elements.some((element) => matchObject(pattern, element));
}

function objectElements(array: unknown[]): Record<string, unknown>[] {
  return array.flatMap((item) => (Array.isArray(item) ? objectElements(item) : isPlainObject(item) ? [item] : []));
}

/** Scalars at this path; an array counts as each of its scalars, an object as none (not a leaf). */
function leafValues(value: unknown): Scalar[] {
  if (value === undefined || isPlainObject(value)) return [];
  if (Array.isArray(value)) return value.flatMap(leafValues);
  return [value as Scalar];
}

function matchValue(matcher: Exclude<ValueMatcher, { op: 'exists' }>, value: Scalar): boolean {
  switch (matcher.op) {
    case 'equals':
      return value === matcher.value;
    case 'prefix':
      return typeof value === 'string' && fold(value, matcher.ignoreCase).startsWith(fold(matcher.value, matcher.ignoreCase));
    case 'suffix':
      return typeof value === 'string' && fold(value, matcher.ignoreCase).endsWith(fold(matcher.value, matcher.ignoreCase));
    case 'equals-ignore-case':
      return typeof value === 'string' && fold(value, true) === fold(matcher.value, true);
    case 'wildcard':
      return typeof value === 'string' && matcher.regex.test(value);
    case 'numeric':
      return typeof value === 'number' && inRange(value, matcher.lower, matcher.upper);
    case 'anything-but':
      return !matcher.excluded.some((excluded) => excluded.op !== 'exists' && matchValue(excluded, value));
  }
}

function fold(text: string, ignoreCase: boolean): string {
  return ignoreCase ? text.toLowerCase() : text;
}

function inRange(value: number, lower: { value: number; inclusive: boolean } | undefined, upper: typeof lower): boolean {
  const aboveLower = !lower || (lower.inclusive ? value >= lower.value : value > lower.value);
  const belowUpper = !upper || (upper.inclusive ? value <= upper.value : value < upper.value);
  return aboveLower && belowUpper;
}
