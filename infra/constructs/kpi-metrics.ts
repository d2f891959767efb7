import type { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, Stats, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { COUNTER_DEFINITIONS, METRIC_NAMESPACE, type Counter } from '#shared/kpi/counters';
import { milestoneDimensions, milestoneValuesOf, type MetricDimensions, type MilestoneDimensionValue } from '#shared/kpi/metrics';

/**
 * CloudWatch metrics of the KPI counters, built from the names and dimension sets the aggregator
 * emits (shared/kpi/metrics.ts), and the metric math the dashboards and alarms compute with.
 */

/** A counter's metric with exactly these dimensions, summed over `period`. */
export function counterMetric(counter: Counter, dimensions: MetricDimensions, period: Duration, label?: string): Metric {
  return new Metric({
    namespace: METRIC_NAMESPACE,
    metricName: COUNTER_DEFINITIONS[counter].metric,
    dimensionsMap: { ...dimensions },
    statistic: Stats.SUM,
    period,
    ...(label === undefined ? {} : { label }),
  });
}

/** A piece of a metric math expression and the metrics its ids name. */
export interface MathTerm {
  readonly expression: string;
  readonly metrics: Readonly<Record<string, IMetric>>;
}

/**
 * A counter summed over Milestone values (by default every value it can be emitted under).
 * Periods in which one milestone has no data count it as 0 (`FILL`): a plain `+` would drop them.
 */
export function counterSum(counter: Counter, period: Duration, milestones: readonly MilestoneDimensionValue[] = milestoneValuesOf(counter)): MathTerm {
  const metrics = Object.fromEntries(milestones.map((m) => [`${counter}_${m}`, counterMetric(counter, milestoneDimensions(m), period)]));
  return { expression: `(${Object.keys(metrics).map((id) => `FILL(${id}, 0)`).join(' + ')})`, metrics };
}

/** A counter with exactly these dimensions as a term (missing periods count 0), under `id`. */
export function counterTerm(id: string, counter: Counter, dimensions: MetricDimensions, period: Duration): MathTerm {
  return { expression: `FILL(${id}, 0)`, metrics: { [id]: counterMetric(counter, dimensions, period) } };
}

/** A term of any metric (an AWS service's), missing periods as 0. */
export function metricTerm(id: string, metric: IMetric): MathTerm {
  return { expression: `FILL(${id}, 0)`, metrics: { [id]: metric } };
}

/**
 * `build` writes the expression from the terms' expressions; the result names every metric
 * they use. `period` overrides the metrics' own (CDK's rule for math expressions).
 */
export function mathOf<const T extends Record<string, MathTerm>>(
  terms: T,
  build: (e: { [K in keyof T]: string }) => string,
  options: { label: string; period: Duration },
): MathExpression {
  const expressions = Object.fromEntries(Object.entries(terms).map(([name, term]) => [name, term.expression])) as { [K in keyof T]: string };
  const usingMetrics = Object.assign({}, ...Object.values(terms).map((term) => term.metrics)) as Record<string, IMetric>;
  return new MathExpression({ expression: build(expressions), usingMetrics, label: options.label, period: options.period });
}
