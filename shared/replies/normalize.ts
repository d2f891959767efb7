/** Spaces, punctuation and symbols around the answer; not dashes ("-1" is not "1"). */
const AROUND = /^[\s\p{Po}\p{Ps}\p{Pe}\p{Pi}\p{Pf}\p{S}]+|[\s\p{Po}\p{Ps}\p{Pe}\p{Pi}\p{Pf}\p{S}]+$/gu;

/**
 * A reply as it is matched: trimmed, without accents, upper case, inner spaces collapsed,
 * and without punctuation or symbols around it ("¡Sí!" → "SI", " 9. " → "9", "1️⃣" → "1").
 * Matching is on the whole message, so "sí, pero más tarde" stays what it is.
 */
export function normalizeReply(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(AROUND, '')
    .replace(/\s+/g, ' ');
}
