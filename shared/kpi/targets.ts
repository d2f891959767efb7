/**
 * What the KPIs are judged against: the brief's targets (DESIGN.md §4), shown beside the KPIs
 * on the local dashboard, and the default alarm thresholds, which cdk.json's
 * `posventa.alarms` may override (infra/config.ts validates them) and the local dashboard shows
 * as the alarm lines. One place, so the page, the CloudWatch alarms and the README agree.
 */
export const KPI_TARGETS = {
  /** NPS at least this. */
  nps: 30,
  /** Day-7 response rate at least this. */
  day7ResponseRate: 0.25,
  /** 60-day repurchase rate in this range. */
  repurchaseRate: { low: 0.08, high: 0.12 },
  /** Reopened tickets / tickets at most this. */
  reopenedRate: 0.1,
  /** Time to first response (mean and p90) at most this many seconds. */
  firstResponseSeconds: 300,
} as const;

export type KpiTargets = typeof KPI_TARGETS;

/** Meta's template quality ratings, as the CloudWatch metric `TemplateQuality` carries them. */
export const TEMPLATE_QUALITY_SCORE = { GREEN: 0, YELLOW: 1, RED: 2 } as const;
export type TemplateQualityRating = keyof typeof TEMPLATE_QUALITY_SCORE;

/**
 * Default alarm thresholds. Rates are fractions 0–1. An alarm on a rate only judges a day with
 * enough volume (the `minimum*` settings): at low volume one blocked message out of 50 is 2 %,
 * which says nothing about the template, and the alarm would flap.
 */
export const ALARM_DEFAULTS = {
  /** Blocked or undeliverable (131026) / sent, over a day: alarm above this. */
  blockRate: 0.003,
  /** Failed (130472 excluded) / sent, over a day: alarm above this. */
  failureRate: 0.003,
  /** Sent messages a day needs before the block and failure rates are judged. */
  minimumSent: 500,
  /** Day-7 journeys that replied / day-7 messages delivered, over a day: alarm below this. */
  day7ResponseRateFloor: 0.15,
  /** Day-7 messages delivered a day needs before its response rate is judged. */
  minimumDay7Delivered: 100,
  /** NPS over a day: alarm below this. */
  npsFloor: 0,
  /** NPS answers a day needs before the NPS is judged. */
  minimumNpsAnswers: 30,
  /** Alarm when a template's quality is this or worse. */
  templateQuality: 'YELLOW' as TemplateQualityRating,
  /** Webhook 5xx answers / webhook requests, over 5 minutes, 3 periods in a row: alarm above this. */
  webhook5xxRate: 0.05,
  /** Requests 5 minutes need before the webhook's 5xx rate is judged. */
  minimumWebhookRequests: 20,
};

export type AlarmThresholds = typeof ALARM_DEFAULTS;
