import type { MilestoneId } from '#shared/journey/milestones';

/**
 * Every word the dashboard page shows, in one object so the page can be translated by
 * replacing it. Counter names are not here: the page shows each counter's `title` from
 * shared/kpi/counters.ts, the names the aggregator and the CloudWatch dashboards use.
 * `{name}` placeholders are filled in by the page.
 */
export const DASHBOARD_LABELS = {
  /** BCP 47 tag for number, percent and date formats. */
  locale: 'en',
  pageTitle: 'Posventa · journey KPIs',
  heading: 'Post-purchase journey KPIs',
  subheading: 'Local stack · reads {kpiPath} every {seconds} s',

  filters: 'Filters',
  from: 'From',
  to: 'To',
  milestone: 'Milestone',
  allMilestones: 'All milestones',
  apply: 'Apply',
  reset: 'Reset',
  pause: 'Pause auto-refresh',
  resume: 'Resume auto-refresh',
  refreshNow: 'Refresh now',
  loading: 'Loading…',
  updatedAt: 'Updated {time}',
  paused: 'Auto-refresh paused',
  period: 'Period: {from} to {to}',
  allTime: 'Period: all time',
  periodStart: 'the start',
  periodEnd: 'today',
  loadFailed: 'Could not read the KPI API: {reason}. Showing the last figures received.',
  noData: '—',

  headline: 'Headline KPIs',
  nps: 'NPS',
  npsHint: 'Answers: {answers} · target ≥ {target}',
  day7ResponseRate: 'Day-7 response rate',
  day7ResponseRateHint: '{responders} of {delivered} delivered replied · target ≥ {target} · alarm < {alarm}',
  deliveryRate: 'Delivery rate',
  deliveryRateHint: '{delivered} of {sent} sent',
  readRate: 'Read rate',
  readRateHint: '{read} of {delivered} delivered',
  optOutRate: 'Opt-out rate',
  optOutRateHint: '{optOuts} opt-outs / delivered',
  failureRate: 'Failure rate',
  failureRateHint: '{failed} of {sent} sent (130472 excluded)',
  repurchaseRate: '60-day repurchase rate',
  repurchaseRateHint: '{repurchasers} of {journeys} messaged customers bought again · target {low}–{high}',
  reopenedRate: 'Reopened tickets',
  reopenedRateHint: '{reopened} of {opened} helpdesk tickets reopened · target ≤ {target}',
  firstResponse: 'Time to first response (mean)',
  firstResponseHint: 'p90 {p90} (estimated from a histogram) · {responses} responses · target ≤ {target}',
  repurchaseLift: 'Repurchase lift vs holdout',
  repurchaseLiftHint: '{confidence} interval {low} to {high}',
  percentagePoints: '{value} pp',
  onTarget: 'On target',
  offTarget: 'Off target',

  funnel: 'Funnel',
  funnelCaption: 'Messages sent, delivered, read, and journeys that replied',
  funnelSteps: { sent: 'Sent', delivered: 'Delivered', read: 'Read', responders: 'Replied' },
  ofPrevious: '{rate} of previous step',
  funnelAlt: 'Funnel: {steps}.',

  npsTrend: 'NPS by day',
  npsTrendAlt: 'NPS by day, from {first} to {last}: {points}.',
  npsTrendEmpty: 'No NPS answers in this period.',
  day: 'Day',
  answers: 'Answers',
  showData: 'Show the data',
  target: 'target',

  templates: 'Templates',
  templatesCaption: 'Per template. Response rate = journeys that replied / messages delivered.',
  template: 'Template',
  responseRate: 'Response rate',
  templatesEmpty: 'No template has sent anything in this period.',

  abTests: 'A/B tests',
  abTestsEmpty: 'No variants have been sent in this period.',
  abCaption: '{milestone} · compares {metric}',
  abMetrics: { day7ResponseRate: 'day-7 response rate', npsResponseRate: 'NPS response rate', day60Conversion: 'day-60 conversion' },
  variant: 'Variant',
  recipients: 'Recipients',
  successes: 'Successes',
  rate: 'Rate',
  probabilityBest: 'P(best)',
  winner: 'Winner: variant {variant}',
  keepMix: 'Keep the mix',

  failures: 'Failures by bucket',
  failuresEmpty: 'No failed messages in this period.',
  failuresAlt: 'Failures by bucket: {bars}.',
  bucket: 'Bucket',
  count: 'Count',
  ofSent: '{rate} of sent',

  billing: 'Billable messages by category',
  billingEmpty: 'No billable messages in this period.',
  billingAlt: 'Billable messages by category: {bars}.',
  category: 'Category',
  cost: 'Cost',

  counters: 'All counters',
  counter: 'Counter',
  total: 'Total',

  milestones: { day7: 'Day 7', day30: 'Day 30', day60: 'Day 60' } satisfies Record<MilestoneId, string>,
} as const;

export type DashboardLabels = typeof DASHBOARD_LABELS;
