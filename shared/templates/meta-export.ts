import { TEMPLATE_LANGUAGES, TEMPLATES, type TemplateDefinition, type TemplateLanguage, type TemplateVariable } from './catalogue';

/** Sample values Meta's reviewers see for each variable; required when a body has placeholders. */
const EXAMPLES: Readonly<Record<TemplateVariable, Readonly<Record<TemplateLanguage, string>>>> = {
  customerName: { es: 'Lucía', en: 'Emma', pt_BR: 'João' },
  productName: { es: 'Cafetera Deluxe', en: 'Deluxe Coffee Maker', pt_BR: 'Cafeteira Deluxe' },
};

/** The body of `POST /<WABA id>/message_templates`, Meta's call to create one template in one language. */
export interface MetaTemplateRequest {
  name: string;
  language: TemplateLanguage;
  category: 'UTILITY' | 'MARKETING';
  components: Array<{ type: 'BODY'; text: string; example?: { body_text: string[][] } }>;
}

/** Every template of the catalogue in every language, ready to submit to Meta for approval. */
export function metaTemplateRequests(catalogue: readonly TemplateDefinition[] = TEMPLATES): MetaTemplateRequest[] {
  return catalogue.flatMap((template) =>
    TEMPLATE_LANGUAGES.map((language) => ({
      name: template.name,
      language,
      category: template.category === 'marketing' ? 'MARKETING' : 'UTILITY',
      components: [
        {
          type: 'BODY' as const,
          text: template.body[language],
          ...(template.variables.length === 0 ? {} : { example: { body_text: [template.variables.map((v) => EXAMPLES[v][language])] } }),
        },
      ],
    })),
  );
}
