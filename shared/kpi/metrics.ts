import { MILESTONE_IDS, type MilestoneId } from '../journey/milestones';
import type { TemplateVariantKey } from '../templates/catalogue';
import { addOf, UNATTRIBUTED, type CountedEvent, type CounterKey } from './aggregation';
import { COUNTER_DEFINITIONS, FIRST_RESPONSE_BUCKETS, MILESTONE_DIMENSION, type Counter, type CounterUnit } from './counters';
import { TEMPLATE_QUALITY_SCORE, type TemplateQualityRating } from './targets';

/**
 * The CloudWatch metrics the KPI aggregator emits (EMF) and the dashboards and alarms read:
 * names, dimension sets and which values each dimension takes. CloudWatch matches a query only
 * to a metric with exactly the same dimension set, so both sides build dimensions here.
 */

export const TEMPLATE_DIMENSION = 'Template';
export const VARIANT_DIMENSION = 'Variant';
export const LANGUAGE_DIMENSION = 'Language';

/** Meta's quality rating of a template in one language: 0 GREEN, 1 YELLOW, 2 RED (TEMPLATE_QUALITY_SCORE). */
export const TEMPLATE_QUALITY_METRIC = 'TemplateQuality';

/** Values of the Milestone dimension: the milestones, and "unattributed" for counts no journey message explains. */
export type MilestoneDimensionValue = MilestoneId | typeof UNATTRIBUTED;

/** Cohort counters are keyed by the journey's purchase day and no milestone (shared/kpi/aggregation.ts `cohortKey`). */
const COHORT_COUNTERS: ReadonlySet<Counter> = new Set(['cohortMessaged', 'cohortHoldout', 'cohortRepurchasers', 'holdoutRepurchasers']);

/**
 * Counters whose events may carry no journey message: consent changes before any send, and the
 * helpdesk's tickets opened without one (shared/kpi/event-details.ts).
 */
const ATTRIBUTABLE_COUNTERS: ReadonlySet<Counter> = new Set([
  'optIns',
  'optOuts',
  'ticketsOpened',
  'ticketsReopened',
  'ticketsClosed',
  'firstResponses',
  'firstResponseSeconds',
  ...FIRST_RESPONSE_BUCKETS,
]);

/** The Milestone dimension values a counter can be emitted under (every other combination never has data). */
export function milestoneValuesOf(counter: Counter): readonly MilestoneDimensionValue[] {
  if (COHORT_COUNTERS.has(counter)) return [UNATTRIBUTED];
  if (ATTRIBUTABLE_COUNTERS.has(counter)) return [...MILESTONE_IDS, UNATTRIBUTED];
  return MILESTONE_IDS;
}

/**
 * Counters also emitted per milestone × template × variant, for the "Template centre": a few,
 * because every distinct metric × dimension values is a CloudWatch custom metric, billed monthly.
 */
export const TEMPLATE_CENTRE_COUNTERS = ['sent', 'delivered', 'read', 'replies', 'failed', 'failedUndeliverable', 'optOuts', 'costMicroUsd'] as const satisfies readonly Counter[];

export type MetricDimensions = Readonly<Record<string, string>>;

export const milestoneDimensions = (milestone: MilestoneDimensionValue): MetricDimensions => ({ [MILESTONE_DIMENSION]: milestone });

export const templateDimensions = (key: TemplateVariantKey | CounterKey): MetricDimensions => ({
  [MILESTONE_DIMENSION]: key.milestone,
  [TEMPLATE_DIMENSION]: key.template,
  [VARIANT_DIMENSION]: key.variant,
});

export const templateQualityDimensions = (template: string, language: string): MetricDimensions => ({ [TEMPLATE_DIMENSION]: template, [LANGUAGE_DIMENSION]: language });

export interface MetricValue {
  name: string;
  unit: CounterUnit;
  value: number;
}

/** One EMF document: one dimension set, its metrics. */
export interface MetricLine {
  dimensions: MetricDimensions;
  values: MetricValue[];
}

/** EMF takes at most 100 metrics in a document. */
export const EMF_MAX_METRICS = 100;

/**
 * The metric lines of counted events: one per Milestone value with every counter it moved, and
 * one per milestone × template × variant with the Template centre's counters. Per batch, not per
 * event: at load, log lines cost.
 */
export function counterMetricLines(counted: readonly CountedEvent[]): MetricLine[] {
  const lines = new Map<string, { dimensions: MetricDimensions; sums: Map<Counter, number> }>();
  const add = (dimensions: MetricDimensions, counter: Counter, amount: number) => {
    const id = JSON.stringify(dimensions);
    const line = lines.get(id) ?? { dimensions, sums: new Map<Counter, number>() };
    line.sums.set(counter, (line.sums.get(counter) ?? 0) + amount);
    lines.set(id, line);
  };
  const templateCentre: ReadonlySet<Counter> = new Set(TEMPLATE_CENTRE_COUNTERS);
  for (const event of counted) {
    for (const [counter, amount] of Object.entries(addOf(event)) as Array<[Counter, number]>) {
      add(milestoneDimensions(event.key.milestone), counter, amount);
      if (templateCentre.has(counter) && event.key.template !== UNATTRIBUTED) add(templateDimensions(event.key), counter, amount);
    }
  }
  return [...lines.values()].flatMap(({ dimensions, sums }) => {
    const values = [...sums].map(([counter, value]) => ({ name: COUNTER_DEFINITIONS[counter].metric, unit: COUNTER_DEFINITIONS[counter].unit, value }));
    return chunks(values, EMF_MAX_METRICS).map((chunk) => ({ dimensions, values: chunk }));
  });
}

/** A `Template Quality Changed` event, as the metric needs it. */
export interface TemplateQualityReading {
  template: string;
  language: string;
  /** Meta's rating: GREEN, YELLOW, RED, or UNKNOWN (kept as data: Meta adds values). */
  quality: string;
  occurredAt: string;
}

export function isTemplateQualityRating(quality: string): quality is TemplateQualityRating {
  return Object.hasOwn(TEMPLATE_QUALITY_SCORE, quality);
}

/**
 * One `TemplateQuality` line per template × language: its latest rating in the batch. A rating
 * that is not GREEN, YELLOW or RED (UNKNOWN) is not a point on the scale, so it emits nothing
 * and the alarm keeps its state.
 */
export function templateQualityLines(readings: readonly TemplateQualityReading[]): MetricLine[] {
  const latest = new Map<string, TemplateQualityReading & { quality: TemplateQualityRating }>();
  for (const reading of readings) {
    if (!isTemplateQualityRating(reading.quality)) continue;
    const id = `${reading.template}|${reading.language}`;
    const known = latest.get(id);
    if (known === undefined || Date.parse(reading.occurredAt) >= Date.parse(known.occurredAt)) latest.set(id, { ...reading, quality: reading.quality });
  }
  return [...latest.values()].map(({ template, language, quality }) => ({
    dimensions: templateQualityDimensions(template, language),
    values: [{ name: TEMPLATE_QUALITY_METRIC, unit: 'None', value: TEMPLATE_QUALITY_SCORE[quality] }],
  }));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
