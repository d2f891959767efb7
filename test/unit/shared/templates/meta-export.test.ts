import { describe, expect, it } from 'vitest';
import { TEMPLATE_LANGUAGES, TEMPLATES } from '#shared/templates/catalogue';
import { metaTemplateRequests } from '#shared/templates/meta-export';

describe('metaTemplateRequests', () => {
  const requests = metaTemplateRequests();

  it('asks for every template of the catalogue in es, en and pt_BR', () => {
    expect(requests).toHaveLength(TEMPLATES.length * TEMPLATE_LANGUAGES.length);
    for (const template of TEMPLATES) {
      expect(requests.filter((r) => r.name === template.name).map((r) => r.language).sort()).toEqual(['en', 'es', 'pt_BR']);
    }
  });

  it("uses Meta's category names: day 60 is marketing, day 7 and 30 utility", () => {
    expect(new Set(requests.filter((r) => r.name.startsWith('posventa_day60')).map((r) => r.category))).toEqual(new Set(['MARKETING']));
    expect(new Set(requests.filter((r) => !r.name.startsWith('posventa_day60')).map((r) => r.category))).toEqual(new Set(['UTILITY']));
  });

  it('gives one example value per placeholder, in the template language', () => {
    for (const request of requests) {
      const [body] = request.components;
      const placeholders = body!.text.match(/\{\{\d+\}\}/g) ?? [];
      expect(body!.example?.body_text[0], `${request.name} ${request.language}`).toHaveLength(placeholders.length);
    }
    const es = requests.find((r) => r.name === 'posventa_day7_adoption' && r.language === 'es')!;
    expect(es.components[0]).toEqual({
      type: 'BODY',
      text: TEMPLATES.find((t) => t.name === 'posventa_day7_adoption')!.body.es,
      example: { body_text: [['Lucía', 'Cafetera Deluxe']] },
    });
  });
});
