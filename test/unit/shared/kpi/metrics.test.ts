import { describe, expect, it } from 'vitest';
import type { CountedEvent, CounterKey } from '#shared/kpi/aggregation';
import { COUNTERS } from '#shared/kpi/counters';
import { counterMetricLines, EMF_MAX_METRICS, milestoneValuesOf, templateQualityLines } from '#shared/kpi/metrics';
import { templateVariantKeys } from '#shared/templates/catalogue';

const key = (milestone: CounterKey['milestone'], template: string, variant: string): CounterKey => ({ day: '2026-11-20', milestone, template, variant });
const day7A = key('day7', 'posventa_day7_adoption', 'A');
const day7B = key('day7', 'posventa_day7_adoption_b', 'B');
const none = key('unattributed', 'unattributed', 'unattributed');

describe('counterMetricLines', () => {
  it('sums a batch into one line per milestone and one per milestone × template × variant, whatever the number of events', () => {
    const counted: CountedEvent[] = [
      { eventId: 'a', key: day7A, add: { sent: 1 } },
      { eventId: 'b', key: day7A, add: { sent: 1 } },
      { eventId: 'c', key: day7B, add: { delivered: 1, billableUtility: 1, costMicroUsd: 34_000 } },
      { eventId: 'd', key: day7A, counter: 'journeys' },
      { eventId: 'e', key: none, add: { optOuts: 1 } },
    ];
    const lines = counterMetricLines(counted);
    const line = (dimensions: Record<string, string>) => lines.find((l) => JSON.stringify(l.dimensions) === JSON.stringify(dimensions))?.values;
    expect(lines).toHaveLength(4);
    expect(line({ Milestone: 'day7' })).toEqual([
      { name: 'MessagesSent', unit: 'Count', value: 2 },
      { name: 'MessagesDelivered', unit: 'Count', value: 1 },
      { name: 'BillableUtility', unit: 'Count', value: 1 },
      { name: 'WhatsAppCostMicroUsd', unit: 'None', value: 34_000 },
      { name: 'JourneysReached', unit: 'Count', value: 1 },
    ]);
    // Only the Template centre's counters per template: no billable categories, no journeys.
    expect(line({ Milestone: 'day7', Template: 'posventa_day7_adoption', Variant: 'A' })).toEqual([{ name: 'MessagesSent', unit: 'Count', value: 2 }]);
    expect(line({ Milestone: 'day7', Template: 'posventa_day7_adoption_b', Variant: 'B' })).toEqual([
      { name: 'MessagesDelivered', unit: 'Count', value: 1 },
      { name: 'WhatsAppCostMicroUsd', unit: 'None', value: 34_000 },
    ]);
    // An opt-out before any message: under the unattributed milestone, and no template line.
    expect(line({ Milestone: 'unattributed' })).toEqual([{ name: 'OptOuts', unit: 'Count', value: 1 }]);
  });

  it('keeps every line within the 100 metrics EMF allows, with the same dimensions on every part', () => {
    const everything: CountedEvent = { eventId: 'x', key: day7A, add: Object.fromEntries(COUNTERS.map((c) => [c, 1])) };
    for (const line of counterMetricLines([everything])) expect(line.values.length).toBeLessThanOrEqual(EMF_MAX_METRICS);
    expect(COUNTERS.length).toBeLessThan(EMF_MAX_METRICS);
  });
});

describe('milestoneValuesOf', () => {
  it('puts cohort counters under "unattributed" only, consent and helpdesk counters under any milestone or none, the rest under a milestone', () => {
    expect(milestoneValuesOf('cohortMessaged')).toEqual(['unattributed']);
    expect(milestoneValuesOf('optOuts')).toEqual(['day7', 'day30', 'day60', 'unattributed']);
    expect(milestoneValuesOf('firstResponseLe60')).toEqual(['day7', 'day30', 'day60', 'unattributed']);
    expect(milestoneValuesOf('sent')).toEqual(['day7', 'day30', 'day60']);
  });
});

describe('templateQualityLines', () => {
  const reading = (quality: string, occurredAt: string, language = 'es') => ({ template: 'posventa_day60_offer', language, quality, occurredAt });

  it("emits each template × language's latest rating in the batch on the 0 GREEN, 1 YELLOW, 2 RED scale", () => {
    const lines = templateQualityLines([reading('RED', '2026-11-20T10:00:00Z'), reading('YELLOW', '2026-11-20T09:00:00Z'), reading('GREEN', '2026-11-20T09:00:00Z', 'en')]);
    expect(lines).toEqual([
      { dimensions: { Template: 'posventa_day60_offer', Language: 'es' }, values: [{ name: 'TemplateQuality', unit: 'None', value: 2 }] },
      { dimensions: { Template: 'posventa_day60_offer', Language: 'en' }, values: [{ name: 'TemplateQuality', unit: 'None', value: 0 }] },
    ]);
  });

  it('emits nothing for a rating off the scale (UNKNOWN), so an alarm keeps its state', () => {
    expect(templateQualityLines([reading('UNKNOWN', '2026-11-20T10:00:00Z')])).toEqual([]);
  });
});

describe('templateVariantKeys', () => {
  it('lists every catalogue template under the variants it goes out under; the reminder under each variant of its milestone', () => {
    expect(templateVariantKeys()).toEqual([
      { milestone: 'day7', template: 'posventa_day7_adoption', variant: 'A' },
      { milestone: 'day7', template: 'posventa_day7_adoption_b', variant: 'B' },
      { milestone: 'day30', template: 'posventa_day30_nps', variant: 'A' },
      { milestone: 'day30', template: 'posventa_day30_nps_reminder', variant: 'A' },
      { milestone: 'day60', template: 'posventa_day60_offer', variant: 'A' },
      // Promoters' day 60 goes out under its own variant.
      { milestone: 'day60', template: 'posventa_day60_referral', variant: 'P' },
    ]);
  });
});
