/**
 * Consent keywords (DESIGN.md §1, "Any time"): a message that is ONLY a keyword changes
 * consent; a sentence that merely contains one ("no quiero salir de casa") does not.
 *
 * How a message is compared, in order:
 * 1. NFKC, so compatibility forms count as their letters: fullwidth "ＳＴＯＰ", mathematical
 *    "𝐒𝐓𝐎𝐏", circled "ⓈⓉⓄⓅ", ligatures.
 * 2. Accents removed (NFD, marks dropped): "ARRÊT" = "ARRET", "SALÍR" = "SALIR".
 * 3. Punctuation, symbols (emoji, flags, skin tones), and invisible format characters
 *    (zero-width space and joiner) removed: "¡Baja!", " stop. ", "🛑 STOP", "opt-out".
 * 4. Upper case; whitespace (any Unicode space) splits words.
 * Then the message matches when its words, joined, are a keyword ("OPT OUT", "OPTOUT",
 * "S T O P"), or when every word is a keyword of the same intent ("STOP STOP", "BAJA STOP").
 * Mixed intents ("STOP START") match nothing: the customer's wish is unclear.
 *
 * Cross-script lookalike letters (Cyrillic "ЅТОР" = Ѕ Т О Р, Greek "ΕΝD", a Latin word
 * with one Cyrillic "О") are folded to Latin for OPT-OUT only. (This is about letters
 * that look alike, not translation: Russian "СТОП" is not a keyword.) Missing an opt-out breaks the law and
 * Meta's policy; a wrong opt-out costs a customer one "ALTA". An opt-in must be
 * unambiguous, so lookalikes never opt anybody in.
 */

export type ConsentIntent = 'opt-out' | 'opt-in';

export const OPT_OUT_KEYWORDS = [
  'SALIR', 'BAJA', 'CANCELAR', 'PARAR',
  'STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'OPT OUT',
  'ARRET',
] as const;

export const OPT_IN_KEYWORDS = ['ALTA', 'START', 'UNSTOP'] as const;

/**
 * Payload of the opt-out quick-reply button our templates carry. Set it as the button's
 * `payload` parameter when sending; Meta echoes it in the `button` webhook.
 */
export const OPT_OUT_BUTTON_PAYLOAD = 'POSVENTA_OPT_OUT';

const OPT_OUT = new Set<string>(OPT_OUT_KEYWORDS.map((k) => k.replace(/ /g, '')));
const OPT_IN = new Set<string>(OPT_IN_KEYWORDS);

// Characters that are not letters, digits or spaces: punctuation, symbols, format, controls.
const NOT_A_WORD_CHARACTER = /[\p{P}\p{S}\p{Cf}\p{Cc}]/gu;
const MARKS = /\p{M}/gu;

/** Cyrillic and Greek capitals that look like the Latin letters of the opt-out keywords. */
const LOOKALIKES: Readonly<Record<string, string>> = {
  // Cyrillic
  А: 'A', В: 'B', Е: 'E', І: 'I', Ј: 'J', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Ѕ: 'S', Т: 'T', У: 'Y', Х: 'X',
  // Greek
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
};
const LOOKALIKE_PATTERN = new RegExp(`[${Object.keys(LOOKALIKES).join('')}]`, 'gu');

/** The words of a message after steps 1–4 above (exported for tests and logs). */
export function keywordWordsOf(text: string): string[] {
  const folded = text
    .normalize('NFKC')
    .normalize('NFD')
    .replace(MARKS, '')
    .replace(NOT_A_WORD_CHARACTER, '')
    .toUpperCase();
  return folded.split(/\s+/u).filter((word) => word !== '');
}

function intentOfWords(words: readonly string[], optOut: ReadonlySet<string>, optIn: ReadonlySet<string> | undefined): ConsentIntent | undefined {
  if (words.length === 0) return undefined;
  const joined = words.join('');
  if (optOut.has(joined)) return 'opt-out';
  if (optIn?.has(joined)) return 'opt-in';
  if (words.length === 1) return undefined;
  if (words.every((w) => optOut.has(w))) return 'opt-out';
  if (optIn !== undefined && words.every((w) => optIn.has(w))) return 'opt-in';
  return undefined;
}

/** Whether a whole inbound text message is an opt-out or opt-in keyword; `undefined` for anything else. */
export function consentIntentOf(text: string): ConsentIntent | undefined {
  if (text.length > 200) return undefined; // no keyword is that long, even with decoration
  const words = keywordWordsOf(text);
  const intent = intentOfWords(words, OPT_OUT, OPT_IN);
  if (intent !== undefined) return intent;
  // Lookalike letters count for opt-out only (see above).
  const latin = words.map((w) => w.replace(LOOKALIKE_PATTERN, (c) => LOOKALIKES[c] ?? c));
  return intentOfWords(latin, OPT_OUT, undefined);
}

/**
 * The intent of a quick-reply tap (`button.payload` of a template button, or the id of an
 * interactive button reply): our opt-out payload, or a payload that is itself a keyword
 * (a template button created without a payload echoes its label, e.g. "STOP").
 */
export function consentIntentOfButton(payload: string): ConsentIntent | undefined {
  if (payload === OPT_OUT_BUTTON_PAYLOAD) return 'opt-out';
  return consentIntentOf(payload);
}
