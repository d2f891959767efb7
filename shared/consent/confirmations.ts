import { languageForLocale, type TemplateLanguage } from '../templates/catalogue';
import type { ConsentAction } from './scopes';

/**
 * What we answer a customer who opted out or back in (DESIGN.md §1, "Any time"): free-form
 * text, sent inside the customer service window the customer's own message opened. Each names
 * the keyword that undoes it. One place for the copy, in the catalogue's languages.
 */
export const CONSENT_CONFIRMATIONS: Readonly<Record<ConsentAction, Readonly<Record<TemplateLanguage, string>>>> = {
  'opt-out': {
    es: 'Listo, ya no te enviaremos más mensajes por WhatsApp. Si cambias de opinión, responde ALTA.',
    en: 'Done: we will not send you any more WhatsApp messages. If you change your mind, reply START.',
    pt_BR: 'Pronto, não enviaremos mais mensagens pelo WhatsApp. Se mudar de ideia, responda START.',
  },
  'opt-in': {
    es: '¡Hola de nuevo! Volverás a recibir nuestros mensajes por WhatsApp. Para darte de baja, responde BAJA.',
    en: 'Welcome back! You will receive our WhatsApp messages again. To stop them, reply STOP.',
    pt_BR: 'Bem-vindo de volta! Você voltará a receber nossas mensagens pelo WhatsApp. Para sair, responda PARAR.',
  },
};

/** The confirmation in the contact's language (their last known locale); Spanish when we know none. */
export function consentConfirmation(action: ConsentAction, locale: string | undefined): string {
  return CONSENT_CONFIRMATIONS[action][locale === undefined || locale === '' ? 'es' : languageForLocale(locale)];
}
