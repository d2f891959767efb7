import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  consentIntentOf,
  consentIntentOfButton,
  keywordWordsOf,
  OPT_IN_KEYWORDS,
  OPT_OUT_BUTTON_PAYLOAD,
  OPT_OUT_KEYWORDS,
} from '#shared/consent/keywords';

describe('consentIntentOf: the keywords of DESIGN.md §1', () => {
  it('lists exactly the opt-out and opt-in keywords of the spec', () => {
    expect([...OPT_OUT_KEYWORDS]).toEqual(['SALIR', 'BAJA', 'CANCELAR', 'PARAR', 'STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'OPT OUT', 'ARRET']);
    expect([...OPT_IN_KEYWORDS]).toEqual(['ALTA', 'START', 'UNSTOP']);
  });

  it.each(OPT_OUT_KEYWORDS.flatMap((k) => [k, k.toLowerCase(), k[0] + k.slice(1).toLowerCase()]))('"%s" opts out', (text) => {
    expect(consentIntentOf(text)).toBe('opt-out');
  });

  it.each(OPT_IN_KEYWORDS.flatMap((k) => [k, k.toLowerCase(), k[0] + k.slice(1).toLowerCase()]))('"%s" opts in', (text) => {
    expect(consentIntentOf(text)).toBe('opt-in');
  });
});

describe('consentIntentOf: decoration around a whole-message keyword', () => {
  const optOuts = [
    // punctuation, Spanish and otherwise
    '¡Baja!', ' stop. ', 'STOP!!!', '¿Salir?', '"parar"', '(cancelar)', 'stop…', '-STOP-', '*STOP*', '_baja_', '«BAJA»', 'stop;', 'STOP?!',
    // accents, on the keyword or added
    'ARRÊT', 'arrêt', 'Arrêt !', 'SALÍR', 'bája', 'Cancelár', 'PÁRAR', 'ÉND', 'qüit',
    // whitespace: tabs, newlines, no-break and other Unicode spaces, inner runs
    '\tstop\n', '\u00a0BAJA\u00a0', '\u2003salir\u2003', 'opt out', 'OPT   OUT', 'opt\u00a0out', 'Opt\nOut', 'opt-out', 'OPT_OUT', 'opt.out', 'Opt-Out!',
    'S T O P', 'b a j a',
    // emoji and symbols around it
    '🛑 STOP', 'STOP 🛑', '🙅‍♀️ baja', 'baja 👋🏽', 'STOP ✋🏻✋🏻', '✋ Stop ✋', '🇦🇷 BAJA', '⛔️STOP⛔️', '➡️ salir', 'stop 😡😡', '#STOP', '@stop',
    // invisible format characters a keyboard or copy-paste adds
    'ST\u200bOP', '\u200bstop', 'BA\u00adJA', '\ufeffSTOP', 'stop\u200d',
    // compatibility forms (NFKC)
    'ＳＴＯＰ', 'ｂａｊａ', '𝐒𝐓𝐎𝐏', '𝓼𝓽𝓸𝓹', 'ⓈⓉⓄⓅ', 'ᵇᵃʲᵃ',
    // cross-script lookalike letters (opt-out only)
    'ЅТОР', 'STОP' /* Cyrillic О */, 'ΕΝD' /* Greek Ε Ν */, 'QUΙT' /* Greek Ι */,
    // keywords repeated or combined, same intent
    'STOP STOP', 'baja baja baja', 'BAJA STOP', 'stop, stop!', 'Salir. Baja.',
  ];
  it.each(optOuts)('%j opts out', (text) => {
    expect(consentIntentOf(text)).toBe('opt-out');
  });

  const optIns = ['alta', '¡ALTA!', ' start. ', 'Unstop', 'ÁLTA', 'START 👍', '🙂 alta', 'ＳＴＡＲＴ', 'alta alta', 'START ALTA', 'u n s t o p'];
  it.each(optIns)('%j opts in', (text) => {
    expect(consentIntentOf(text)).toBe('opt-in');
  });

  // Lookalikes never opt anybody in: an opt-in must be unambiguous.
  it.each(['ЅТАRТ' /* Cyrillic Ѕ Т А Т */, 'АLTA' /* Cyrillic А */, 'ΑLΤΑ' /* Greek */])('%j (lookalike letters) is not an opt-in', (text) => {
    expect(consentIntentOf(text)).toBeUndefined();
  });
});

describe('consentIntentOf: messages that only contain a keyword are not consent changes', () => {
  const notKeywords = [
    // Spanish sentences with a keyword inside
    'no quiero salir de casa',
    'Quiero salir',
    'salir de la lista por favor',
    'dar de baja',
    'dame de baja',
    'Baja por favor',
    'la batería está muy baja',
    'quiero cancelar mi pedido',
    'Cancelar pedido',
    'no puedo parar de usarla',
    'Hay que parar la máquina?',
    'el pedido llegó de alta calidad',
    'Alta calidad',
    'dar de alta',
    'STOP por favor',
    'stop please',
    'please stop',
    'Stop sending me messages',
    'STOP 2',
    'the end',
    'END OF STORY',
    'no me quiero dar de baja',
    'NO BAJA',
    'start the machine',
    'Arrête de m’écrire',
    // mixed intents: unclear, so nothing changes
    'STOP START',
    'baja alta',
    // near misses and other words
    'stopp',
    'STOPS',
    'stopped',
    'bajas',
    'salida',
    'cancelado',
    'ending',
    'quite',
    'altas',
    'starts',
    'restart',
    'optout2',
    'opt in',
    'OPT IN',
    'unsubscribed',
    // answers the journey expects
    '1',
    '2',
    '99',
    '10',
    'SÍ',
    'si',
    'no',
    'gracias',
    // nothing, or only decoration
    '',
    '   ',
    '!!!',
    '🛑',
    '👍',
    '\u200b',
    // Russian "stop" is a different word, not lookalike letters
    'СТОП',
    'стоп',
  ];
  it.each(notKeywords)('%j is not a consent keyword', (text) => {
    expect(consentIntentOf(text)).toBeUndefined();
  });

  it('ignores very long messages without reading them through', () => {
    expect(consentIntentOf(`${' '.repeat(500)}STOP`)).toBeUndefined();
    expect(consentIntentOf('STOP '.repeat(100))).toBeUndefined();
  });
});

describe('consentIntentOf: properties', () => {
  const accents: Record<string, string[]> = { A: ['Á', 'À', 'Â', 'Ä', 'á', 'â'], E: ['É', 'Ê', 'é', 'ê', 'ë'], O: ['Ó', 'Ô', 'ö'], U: ['Ú', 'Ü', 'ü'], I: ['Í', 'î'] };
  const decoratedKeyword = (keywords: readonly string[]) =>
    fc
      .tuple(
        fc.constantFrom(...keywords),
        fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
        fc.array(fc.nat(5), { minLength: 20, maxLength: 20 }),
        fc.constantFrom('', ' ', '  ', '\t', '\n', '\u00a0', '¡', '¿', '"', '🛑 ', '👋🏽'),
        fc.constantFrom('', ' ', '.', '!', '!!', '?', ' .', '…', ' 🙏', '\u200b'),
      )
      .map(([keyword, lower, accent, before, after]) => {
        const letters = [...keyword].map((c, i) => {
          const options = accents[c];
          const withAccent = options !== undefined && accent[i] !== undefined && accent[i]! < options.length ? options[accent[i]!]! : c;
          return lower[i] ? withAccent.toLowerCase() : withAccent;
        });
        return `${before}${letters.join('')}${after}`;
      });

  it('any keyword, in any case, with accents, punctuation, emoji and spaces around it, keeps its intent', () => {
    fc.assert(fc.property(decoratedKeyword(OPT_OUT_KEYWORDS), (text) => consentIntentOf(text) === 'opt-out'));
    fc.assert(fc.property(decoratedKeyword(OPT_IN_KEYWORDS), (text) => consentIntentOf(text) === 'opt-in'));
  });

  it('a keyword next to any other word is not a consent change', () => {
    const otherWord = fc.stringMatching(/^[a-záéíóúñ]{2,10}$/).filter((w) => consentIntentOf(w) === undefined);
    fc.assert(
      fc.property(fc.constantFrom(...OPT_OUT_KEYWORDS, ...OPT_IN_KEYWORDS), otherWord, fc.boolean(), (keyword, word, first) => {
        const text = first ? `${word} ${keyword}` : `${keyword} ${word}`;
        // (Unless the two glue into a keyword, e.g. "opt" + "out": checked by the joined form.)
        return consentIntentOf(text) === undefined || consentIntentOf(`${word}${keyword}`) !== undefined || consentIntentOf(`${keyword}${word}`) !== undefined;
      }),
    );
  });

  it('never throws, whatever the text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => [undefined, 'opt-in', 'opt-out'].includes(consentIntentOf(text))));
  });
});

describe('keywordWordsOf', () => {
  it('folds compatibility forms, accents, punctuation and case, and splits on any space', () => {
    expect(keywordWordsOf(' ¡Arrêt,\u00a0ＳＴＯＰ!! 🛑 ')).toEqual(['ARRET', 'STOP']);
  });
});

describe('consentIntentOfButton', () => {
  it('reads our opt-out payload as an opt-out', () => {
    expect(OPT_OUT_BUTTON_PAYLOAD).toBe('POSVENTA_OPT_OUT');
    expect(consentIntentOfButton(OPT_OUT_BUTTON_PAYLOAD)).toBe('opt-out');
  });

  it('reads a payload that is a keyword (a button created without payload echoes its label)', () => {
    expect(consentIntentOfButton('STOP')).toBe('opt-out');
    expect(consentIntentOfButton('Unsubscribe')).toBe('opt-out');
    expect(consentIntentOfButton('START')).toBe('opt-in');
  });

  it('ignores the journey’s other payloads and near misses of ours', () => {
    for (const payload of ['D7_CHAT', 'D7_BOOK', '9', '99', 'D60_YES', 'posventa_opt_out', 'POSVENTA_OPT_OUT ', 'POSVENTA_OPT_IN', ''])
      expect(consentIntentOfButton(payload), payload).toBeUndefined();
  });
});
