import { describe, expect, it } from 'vitest';
import { executionNameForOrder } from '#shared/journey/execution-name';

// Step Functions execution names: 1–80 characters, none of these (API reference, StartExecution `name`).
const FORBIDDEN_CHARACTERS = new Set([' ', '\t', '\n', '<', '>', '{', '}', '[', ']', '?', '*', '"', '#', '%', '\\', '^', '|', '~', '`', '$', '&', ',', ';', ':', '/']);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const isControl = (codePoint: number) => codePoint <= 0x1f || (codePoint >= 0x7f && codePoint <= 0x9f);

/** What is wrong with `name` as an execution name; empty when nothing is. */
function problemsOf(name: string): string[] {
  const problems: string[] = [];
  if (name.length < 1 || name.length > 80) problems.push(`length ${name.length}`);
  for (const char of name) {
    if (FORBIDDEN_CHARACTERS.has(char) || isControl(char.codePointAt(0)!) || /\s/.test(char)) problems.push(`forbidden ${JSON.stringify(char)}`);
  }
  // A lone surrogate is not a character at all: the API would reject or mangle it.
  if (LONE_SURROGATE.test(name)) problems.push('lone surrogate');
  return problems;
}

function expectValidName(name: string): void {
  expect(problemsOf(name), JSON.stringify(name)).toEqual([]);
}

describe('executionNameForOrder', () => {
  it.each(['ES-2026-000123', 'order_42', 'a', 'pedido-ñandú-7', 'x'.repeat(80), '12345', 'Order.With.Dots', 'A-1'])('keeps the valid id %s unchanged', (orderId) => {
    expect(executionNameForOrder(orderId)).toBe(orderId);
  });

  it.each([
    ['a space', 'PED 2026 000123'],
    ['a hash', 'ORDER#123'],
    ['a slash and colon', 'shop/es:123'],
    ['brackets and wildcards', '[123]*?'],
    ['a tab', 'A\t1'],
    ['a NUL', 'A\u00001'],
    ['a C1 control character', 'A\u00851'],
    ['DEL', 'A\u007f1'],
    ['a non-breaking space', 'A\u00a01'],
    ['a line separator', 'A\u20281'],
    ['81 characters', 'x'.repeat(81)],
    ['300 characters with spaces', 'pedido número '.repeat(22)],
    ['only forbidden characters', '#/#/'],
  ])('turns an id with %s into a valid name', (_, orderId) => {
    const name = executionNameForOrder(orderId);
    expect(name).not.toBe(orderId);
    expectValidName(name);
  });

  it('never splits a character made of two UTF-16 units when it shortens a long id', () => {
    for (let prefix = 60; prefix <= 70; prefix++) {
      expectValidName(executionNameForOrder('x'.repeat(prefix) + '🛒'.repeat(20)));
    }
  });

  it('is deterministic (a retried StartExecution uses the same name)', () => {
    expect(executionNameForOrder('PED 2026 000123')).toBe(executionNameForOrder('PED 2026 000123'));
  });

  it('maps different ids that clean to the same text to different names', () => {
    const ids = ['A 1', 'A_1', 'A#1', 'A/1', 'A\t1', 'A  1', 'A__1'];
    const names = ids.map(executionNameForOrder);
    expect(new Set(names).size).toBe(ids.length);
  });

  it('maps long ids that share their first 80 characters to different names', () => {
    const base = 'x'.repeat(80);
    const names = [`${base}1`, `${base}2`, `${base}11`, base].map(executionNameForOrder);
    expect(new Set(names).size).toBe(4);
    names.forEach(expectValidName);
  });

  it('keeps no two of 5,000 generated ids on the same name', () => {
    const alphabet = ['A', 'b', '1', '_', '-', ' ', '#', '/', 'ñ', '\u0001'];
    // mulberry32: a small seeded generator, so a failure reproduces.
    let seed = 7;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const ids = new Set<string>();
    while (ids.size < 5_000) {
      const length = 1 + Math.floor(random() * 6);
      ids.add(Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    }
    const names = new Map<string, string>();
    const problems: string[] = [];
    for (const id of ids) {
      const name = executionNameForOrder(id);
      problems.push(...problemsOf(name).map((p) => `${JSON.stringify(id)}: ${p}`));
      const earlier = names.get(name);
      if (earlier !== undefined) problems.push(`${JSON.stringify(id)} and ${JSON.stringify(earlier)} share ${JSON.stringify(name)}`);
      names.set(name, id);
    }
    expect(problems).toEqual([]);
  });
});
