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
  /** A/B variant of its milestone ("A", "B"…); KPIs are kept per variant. */
  readonly variant: string;
  /**
   * Share of the milestone's customers assigned this variant, relative to the other
   * variants' weights; the journey config can override it (0 turns a variant off).
   */
  readonly weight: number;
  readonly category: TemplateCategory;
  readonly variables: readonly TemplateVariable[];
  /** Body text per language, with {{n}} placeholders; also exported to create the templates at Meta. */
  readonly body: Readonly<Record<TemplateLanguage, string>>;
  /**
   * Not an A/B variant, never assigned by weight (its `weight` is unused):
   * `reminder`: the one reminder of the milestone's question, sent by the follow-up step under
   * the customer's variant (its own `variant` is unused too);
   * `promoter`: the milestone's message for a customer whose answer to this journey's NPS survey
   * was 9–10 (a promoter), instead of the variants; KPIs count it under its own `variant`.
   */
  readonly role?: 'reminder' | 'promoter';
}

export const TEMPLATES: readonly TemplateDefinition[] = [
  {
    name: 'posventa_day7_adoption',
    milestone: 'day7',
    variant: 'A',
    weight: 1,
    category: 'utility',
    variables: ['customerName', 'productName'],
    body: {
      es: 'Hola {{1}}, ¿cómo va todo con tu {{2}}? Responde 1 para hablar con una persona o 2 para reservar ayuda.',
      en: 'Hi {{1}}, how is everything going with your {{2}}? Reply 1 to talk to a person or 2 to book help.',
      pt_BR: 'Olá {{1}}, como está tudo com seu {{2}}? Responda 1 para falar com uma pessoa ou 2 para agendar ajuda.',
    },
  },
  {
    // Same offer (1 = person, 2 = booked help), framed as getting the most out of the product.
    name: 'posventa_day7_adoption_b',
    milestone: 'day7',
    variant: 'B',
    weight: 1,
    category: 'utility',
    variables: ['customerName', 'productName'],
    body: {
      es: 'Hola {{1}}, ya llevas una semana con tu {{2}}. ¿Quieres sacarle todo el partido? Responde 1 para hablar con una persona o 2 para reservar una sesión de ayuda.',
      en: 'Hi {{1}}, it has been a week with your {{2}}. Want to get the most out of it? Reply 1 to talk to a person or 2 to book a help session.',
      pt_BR: 'Olá {{1}}, já faz uma semana que você está com seu {{2}}. Quer aproveitar ao máximo? Responda 1 para falar com uma pessoa ou 2 para agendar uma sessão de ajuda.',
    },
  },
  {
    name: 'posventa_day30_nps',
    milestone: 'day30',
    variant: 'A',
    weight: 1,
    category: 'utility',
    variables: ['customerName', 'productName'],
    body: {
      es: 'Hola {{1}}, del 0 al 10, ¿qué tan probable es que recomiendes tu {{2}} a un amigo? Responde con un número, o 99 si quieres que te llamemos hoy.',
      en: 'Hi {{1}}, from 0 to 10, how likely are you to recommend your {{2}} to a friend? Reply with a number, or 99 if you would like a call today.',
      pt_BR: 'Olá {{1}}, de 0 a 10, qual a probabilidade de você recomendar seu {{2}} a um amigo? Responda com um número, ou 99 se quiser que liguemos hoje.',
    },
  },
  {
    name: 'posventa_day30_nps_reminder',
    milestone: 'day30',
    role: 'reminder',
    variant: 'R',
    weight: 0,
    category: 'utility',
    variables: ['customerName', 'productName'],
    body: {
      es: 'Hola {{1}}, te escribimos hace un par de días: ¿recomendarías tu {{2}} a un amigo? Responde con un número del 0 al 10 (solo te tomará un segundo), o 99 si prefieres que te llamemos hoy.',
      en: 'Hi {{1}}, we wrote a couple of days ago: would you recommend your {{2}} to a friend? Reply with a number from 0 to 10 (it only takes a second), or 99 if you would rather we call you today.',
      pt_BR: 'Olá {{1}}, escrevemos há alguns dias: você recomendaria seu {{2}} a um amigo? Responda com um número de 0 a 10 (leva só um segundo), ou 99 se preferir que liguemos hoje.',
    },
  },
  {
    name: 'posventa_day60_offer',
    milestone: 'day60',
    variant: 'A',
    weight: 1,
    category: 'marketing',
    variables: ['customerName', 'productName'],
    body: {
      es: 'Hola {{1}}, como ya tienes tu {{2}}, tenemos una oferta pensada para ti. Responde SÍ y te la contamos.',
      en: 'Hi {{1}}, since you already have your {{2}}, we have an offer picked for you. Reply YES and we will tell you about it.',
      pt_BR: 'Olá {{1}}, como você já tem seu {{2}}, temos uma oferta pensada para você. Responda SIM e contamos tudo.',
    },
  },
  {
    // The review / referral ask for promoters. Same reply as the offer: SÍ is a lead, and a
    // person sends the review link and the referral code.
    name: 'posventa_day60_referral',
    milestone: 'day60',
    role: 'promoter',
    variant: 'P',
    weight: 0,
    category: 'marketing',
    variables: ['customerName', 'productName'],
    body: {
      es: 'Hola {{1}}, ¡nos alegra que te encante tu {{2}}! ¿Nos ayudas a que más gente lo conozca? Responde SÍ y te enviamos un enlace para dejar tu reseña y un código de regalo para un amigo.',
      en: 'Hi {{1}}, we are glad you love your {{2}}! Would you help more people discover it? Reply YES and we will send you a link to leave a review and a gift code for a friend.',
      pt_BR: 'Olá {{1}}, que bom que você adora seu {{2}}! Quer ajudar mais pessoas a conhecê-lo? Responda SIM e enviamos um link para deixar sua avaliação e um código de presente para um amigo.',
    },
  },
];

/** Every variant of a milestone, in variant order (its reminder and promoter message are no variants). */
export function templatesForMilestone(milestone: MilestoneId, catalogue: readonly TemplateDefinition[] = TEMPLATES): TemplateDefinition[] {
  return catalogue.filter((t) => t.milestone === milestone && t.role === undefined).sort((a, b) => (a.variant < b.variant ? -1 : a.variant > b.variant ? 1 : 0));
}

/** The reminder of a milestone's question, if it has one. */
export function reminderTemplateFor(milestone: MilestoneId, catalogue: readonly TemplateDefinition[] = TEMPLATES): TemplateDefinition | undefined {
  return catalogue.find((t) => t.milestone === milestone && t.role === 'reminder');
}

/** The message a milestone sends its promoters instead of the variants, if it has one. */
export function promoterTemplateFor(milestone: MilestoneId, catalogue: readonly TemplateDefinition[] = TEMPLATES): TemplateDefinition | undefined {
  return catalogue.find((t) => t.milestone === milestone && t.role === 'promoter');
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

/** A template as KPIs key it: the milestone it belongs to and the variant it went out under. */
export interface TemplateVariantKey {
  readonly milestone: MilestoneId;
  readonly template: string;
  readonly variant: string;
}

/**
 * Every milestone × template × variant a catalogue template can be counted under: a variant
 * template under its own variant, a reminder under each variant of its milestone (it goes out
 * under the customer's variant, see shared/journey/follow-up.ts).
 */
export function templateVariantKeys(catalogue: readonly TemplateDefinition[] = TEMPLATES): TemplateVariantKey[] {
  return catalogue.flatMap((t) =>
    (t.role === 'reminder' ? templatesForMilestone(t.milestone, catalogue).map((v) => v.variant) : [t.variant]).map((variant) => ({ milestone: t.milestone, template: t.name, variant })),
  );
}
