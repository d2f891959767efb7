import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MILESTONE_IDS } from '#shared/journey/milestones';
import { COUNTER_DEFINITIONS, COUNTERS, FAILURE_BUCKET_COUNTER, FAILURE_BUCKETS } from '#shared/kpi/counters';
import { ALARM_DEFAULTS, KPI_TARGETS, type AlarmThresholds, type KpiTargets } from '#shared/kpi/targets';
import { DASHBOARD_LABELS, type DashboardLabels } from './labels';

/** Where the local stack serves the page. */
export const DASHBOARD_PATH = '/dashboard';

export interface DashboardOptions {
  /** Path of the KPI API on the same origin (the template's GET route). */
  kpiPath: string;
  /** How often the page reads the KPI API again. @default 5000 */
  refreshMs?: number;
  /** @default DASHBOARD_LABELS */
  labels?: DashboardLabels;
  /** The alarm thresholds the deployment uses (cdk.json `posventa.alarms`). @default ALARM_DEFAULTS */
  alarms?: AlarmThresholds;
}

/** What the page's script reads from the page: everything it knows about the system. */
export interface DashboardConfig {
  kpiPath: string;
  refreshMs: number;
  labels: DashboardLabels;
  targets: KpiTargets;
  alarms: AlarmThresholds;
  milestones: readonly string[];
  counters: Array<{ name: string; title: string }>;
  failureBuckets: Array<{ bucket: string; counter: string }>;
  billableCounters: readonly string[];
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

// JSON inside <script> must not close the element early.
const scriptSafeJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The page as one HTML document: markup, style, script and configuration inlined, so it loads
 * nothing but the KPI API. A Content-Security-Policy with the hashes of its own style and script
 * makes "nothing else" a rule the browser enforces.
 */
export async function renderDashboard(options: DashboardOptions): Promise<{ html: string; contentSecurityPolicy: string }> {
  const read = (name: string) => readFile(new URL(`./${name}`, import.meta.url), 'utf8');
  const [template, style, script] = await Promise.all([read('page.html'), read('page.css'), read('page.js')]);
  const labels = options.labels ?? DASHBOARD_LABELS;
  const config: DashboardConfig = {
    kpiPath: options.kpiPath,
    refreshMs: options.refreshMs ?? 5_000,
    labels,
    targets: KPI_TARGETS,
    alarms: options.alarms ?? ALARM_DEFAULTS,
    milestones: MILESTONE_IDS,
    counters: COUNTERS.map((name) => ({ name, title: COUNTER_DEFINITIONS[name].title })),
    failureBuckets: FAILURE_BUCKETS.map((bucket) => ({ bucket, counter: FAILURE_BUCKET_COUNTER[bucket] })),
    // Meta's pricing categories each have a counter named billable<Category>.
    billableCounters: COUNTERS.filter((name) => name.startsWith('billable')),
  };
  const slots: Record<string, string> = {
    lang: escapeHtml(labels.locale),
    title: escapeHtml(labels.pageTitle),
    style,
    script,
    config: scriptSafeJson(config),
  };
  const html = template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => slots[name] ?? whole);
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}

/**
 * Serves the dashboard at DASHBOARD_PATH; returns false for any other request, so the caller
 * can answer it.
 */
export async function createDashboardHandler(options: DashboardOptions): Promise<(req: IncomingMessage, res: ServerResponse) => boolean> {
  const { html, contentSecurityPolicy } = await renderDashboard(options);
  const body = Buffer.from(html, 'utf8');
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== DASHBOARD_PATH && path !== `${DASHBOARD_PATH}/`) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Method Not Allowed' }));
      return true;
    }
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': body.length,
      'cache-control': 'no-store',
      'content-security-policy': contentSecurityPolicy,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
