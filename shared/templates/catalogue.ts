import type { MilestoneId, TemplateCategory } from '../journey/milestones';

/** Languages every template ships in (Meta's codes). Spanish first. */
export const TEMPLATE_LANGUAGES = ['es', 'en', 'pt_BR'] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

/** Values a template body can take from the purchase; the order of `variables` is Meta's {{1}}, {{2}}… */
export type TemplateVariable = 'customerName' | 'productName';

export interface TemplateDefinition {
  /** The name registered at Meta. */
  readonly name: string;
  readonly milestone: MilestoneId;
  readonly category: TemplateCategory;
  readonly variables: readonly TemplateVariable[];
  /** Body text per language, with {{n}} placeholders; also exported to create the templates at Meta. */
  readonly body: Readonly<Record<TemplateLanguage, string>>;
}

export const TEMPLATES: readonly TemplateDefinition[] = [
  {
    name: 'posventa_day7_adoption',
    milestone: 'day7',
    category: 'utility',
    variables: ['customerName', 'productName'],
    body: {
      es: 'Hola {{1}}, ¿cómo va todo con tu {{2}}? Responde 1 para hablar con una persona o 2 para reservar ayuda.',
      en: 'Hi {{1}}, how is everything going with your {{2}}? Reply 1 to talk to a person or 2 to book help.',
      pt_BR: 'Olá {{1}}, como está tudo com seu {{2}}? Responda 1 para falar com uma pessoa ou 2 para agendar ajuda.',
    },
  },
  {
    name: 'posventa_day30_nps',
    milestone: 'day30',
    category: 'utility',
    variables: ['customerName', 'productName'],
    body: {
      es: 'Hola {{1}}, del 0 al 10, ¿qué tan probable es que recomiendes tu {{2}} a un amigo? Responde con un número, o 99 si quieres que te llamemos hoy.',
      en: 'Hi {{1}}, from 0 to 10, how likely are you to recommend your {{2}} to a friend? Reply with a number, or 99 if you would like a call today.',
      pt_BR: 'Olá {{1}}, de 0 a 10, qual a probabilidade de você recomendar seu {{2}} a um amigo? Responda com um número, ou 99 se quiser que liguemos hoje.',
    },
  },
  {
    name: 'posventa_day60_offer',
    milestone: 'day60',
    category: 'marketing',
    variables: ['customerName', 'productName'],
    body: {
      es: 'Hola {{1}}, como ya tienes tu {{2}}, tenemos una oferta pensada para ti. Responde SÍ y te la contamos.',
      en: 'Hi {{1}}, since you already have your {{2}}, we have an offer picked for you. Reply YES and we will tell you about it.',
      pt_BR: 'Olá {{1}}, como você já tem seu {{2}}, temos uma oferta pensada para você. Responda SIM e contamos tudo.',
    },
  },
];

/** The variant every send records until A/B variants exist in the catalogue. */
export const DEFAULT_VARIANT = 'A';

export function templateForMilestone(milestone: MilestoneId): TemplateDefinition {
  const template = TEMPLATES.find((t) => t.milestone === milestone);
  if (template === undefined) throw new Error(`No template in the catalogue for milestone ${milestone}`);
  return template;
}

/** Meta language code for a customer locale: es-AR → es, pt-BR → pt_BR; Spanish when we have nothing closer. */
export function languageForLocale(locale: string): TemplateLanguage {
  const [language, region] = locale.replace('_', '-').split('-');
  const exact = `${language?.toLowerCase()}_${region?.toUpperCase()}`;
  if ((TEMPLATE_LANGUAGES as readonly string[]).includes(exact)) return exact as TemplateLanguage;
  if (language === 'pt') return 'pt_BR';
  if (language === 'en') return 'en';
  return 'es';
}
