import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini ships without messages; English ones make DLQ reasons and 400s readable.
// Only English: `z.locales` would bundle every language (~200 KB).
z.config(en());

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Validates at an edge and turns a failure into a value with a reason a person can act on. */
export function parseWith<S extends z.ZodMiniType>(schema: S, input: unknown): Parsed<z.infer<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, reason: z.prettifyError(result.error) };
}
