import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PurchaseDetail } from '#shared/events/purchase';
import { DEFAULT_MILESTONES, MILESTONE_IDS } from '#shared/journey/milestones';
import { languageForLocale, promoterTemplateFor, TEMPLATE_LANGUAGES, TEMPLATES, templatesForMilestone } from '#shared/templates/catalogue';
import { templateBodyParameters } from '#shared/templates/render';

const purchase = (JSON.parse(readFileSync(new URL('../../../fixtures/events/purchase-completed.json', import.meta.url), 'utf8')) as { detail: PurchaseDetail }).detail;

describe('languageForLocale', () => {
  it.each([
    ['es-AR', 'es'],
    ['es-ES', 'es'],
    ['es', 'es'],
    ['pt-BR', 'pt_BR'],
    ['pt_BR', 'pt_BR'],
    ['pt-PT', 'pt_BR'],
    ['pt', 'pt_BR'],
    ['en-US', 'en'],
    ['en-GB', 'en'],
    ['en', 'en'],
    ['fr-FR', 'es'],
    ['de', 'es'],
    ['es-419', 'es'],
  ])('maps %s to %s', (locale, language) => {
    expect(languageForLocale(locale)).toBe(language);
  });
});

describe('template catalogue', () => {
  it('ships Spanish, English and Brazilian Portuguese, Spanish first', () => {
    expect(TEMPLATE_LANGUAGES).toEqual(['es', 'en', 'pt_BR']);
  });

  it('has a variant A for every milestone, and only for milestones', () => {
    for (const milestone of MILESTONE_IDS) {
      // Variant A is each milestone's control: every A/B test compares against it.
      expect(templatesForMilestone(milestone).filter((t) => t.variant === 'A')).toHaveLength(1);
    }
    for (const t of TEMPLATES) expect(MILESTONE_IDS).toContain(t.milestone);
  });

  it('keeps the original three templates as variant A and adds a day-7 variant B', () => {
    expect(TEMPLATES.filter((t) => t.variant === 'A').map((t) => t.name)).toEqual(['posventa_day7_adoption', 'posventa_day30_nps', 'posventa_day60_offer']);
    expect(templatesForMilestone('day7').map((t) => [t.variant, t.name])).toEqual([
      ['A', 'posventa_day7_adoption'],
      ['B', 'posventa_day7_adoption_b'],
    ]);
  });

  it('gives each milestone’s variants distinct names, one category, the same variables and positive weights', () => {
    for (const milestone of MILESTONE_IDS) {
      const variants = templatesForMilestone(milestone);
      expect(new Set(variants.map((t) => t.variant)).size).toBe(variants.length);
      expect(new Set(variants.map((t) => t.category)).size).toBe(1);
      for (const t of variants) {
        expect(t.variables).toEqual(variants[0]!.variables);
        expect(t.weight).toBeGreaterThan(0);
        expect(t.variant).toMatch(/^[A-Z]$/);
      }
    }
  });

  it('keeps the day-7 replies (1 = person, 2 = book help) in every variant and language', () => {
    for (const t of templatesForMilestone('day7')) {
      for (const language of TEMPLATE_LANGUAGES) expect(t.body[language]).toMatch(/\b1\b[\s\S]*\b2\b/);
    }
  });

  it('has a review / referral message for day-60 promoters only: marketing like the offer, outside the A/B variants', () => {
    expect(promoterTemplateFor('day60')).toMatchObject({ name: 'posventa_day60_referral', category: 'marketing', variant: 'P' });
    expect(templatesForMilestone('day60').map((t) => t.name)).toEqual(['posventa_day60_offer']);
    expect([promoterTemplateFor('day7'), promoterTemplateFor('day30')]).toEqual([undefined, undefined]);
  });

  it('uses names Meta accepts (lower case, digits, underscores) and unique ones', () => {
    for (const t of TEMPLATES) expect(t.name).toMatch(/^[a-z0-9_]{1,512}$/);
    expect(new Set(TEMPLATES.map((t) => t.name)).size).toBe(TEMPLATES.length);
  });

  it('makes day 60 marketing and days 7 and 30 utility, as the milestones say', () => {
    expect(new Set(templatesForMilestone('day7').map((t) => t.category))).toEqual(new Set(['utility']));
    expect(new Set(templatesForMilestone('day30').map((t) => t.category))).toEqual(new Set(['utility']));
    expect(new Set(templatesForMilestone('day60').map((t) => t.category))).toEqual(new Set(['marketing']));
    for (const m of DEFAULT_MILESTONES) for (const t of templatesForMilestone(m.id)) expect(t.category).toBe(m.category);
  });

  it.each(TEMPLATES.flatMap((t) => TEMPLATE_LANGUAGES.map((language) => [t.name, language, t] as const)))(
    '%s (%s) has a body whose placeholders are exactly {{1}}..{{n}} for its n variables',
    (_, language, template) => {
      const body = template.body[language];
      expect(body.trim().length).toBeGreaterThan(0);
      const placeholders = [...body.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]);
      const expected = template.variables.map((_, i) => String(i + 1));
      expect([...new Set(placeholders)].sort()).toEqual(expected.sort());
      // Meta refuses a body that starts or ends with a parameter.
      expect(body.trimStart().startsWith('{{')).toBe(false);
      expect(body.trimEnd().endsWith('}}')).toBe(false);
    },
  );
});

describe('templateBodyParameters', () => {
  it('fills {{1}} with the customer name and {{2}} with the first product, for every template', () => {
    for (const t of TEMPLATES) {
      expect(templateBodyParameters(t, purchase)).toEqual(['María José', 'Cafetera espresso Rápida 220']);
    }
  });

  it('gives one parameter per variable, in order', () => {
    for (const t of TEMPLATES) expect(templateBodyParameters(t, purchase)).toHaveLength(t.variables.length);
  });
});
