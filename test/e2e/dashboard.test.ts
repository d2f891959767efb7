import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTERS } from '#shared/kpi/counters';
import type { KpiReport } from '#shared/kpi/report';
import type { LocalStack } from '../../local/stack';
import { inboundTextWebhook, purchaseDetail, putHelpdeskEvents, putPurchase, startTestStack, type TestStack } from '../support/local-stack';
import { waitFor } from '../support/wait';

/**
 * The dashboard page in a real browser (Debian's Chromium, driven by playwright-core) against
 * the local stack after one whole journey and one NPS answer: it must show what the KPI API
 * says, follow the filters, and log no error (a CSP violation would be one).
 */
const CHROMIUM = '/usr/bin/chromium';
// As root on this closed network: no sandbox, and no background calls to Google's hosts.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DAY_MS = 40;
const APP_SECRET = 'dashboard-app-secret';

let running: TestStack;
let stack: LocalStack;
let browser: Browser;
let page: Page;
const browserErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the dashboard test needs Debian's Chromium (apt-get install -y chromium; .ci/run installs it)`);
  }
  [running, browser] = await Promise.all([
    startTestStack({ dayMs: DAY_MS, metaAppSecret: APP_SECRET }),
    chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
  ]);
  stack = running.stack;
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') browserErrors.push(message.text());
  });
  page.on('pageerror', (error) => browserErrors.push(error.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await running?.stop();
});

/** An inbound text message answering one of our sends, signed like Meta's. */
async function reply(to: { waId: string; wamid: string }, text: string): Promise<void> {
  const message = { from: to.waId, wamid: 'wamid.HBgNNTQ5MTE1NTU1MDAwMhUCABIYFERBU0hCT0FSRC1SRVBMWS0wMDAxAA==', text, at: stack.clock.now(), repliesTo: to.wamid };
  const { body, headers } = inboundTextWebhook(stack.info, message, APP_SECRET);
  expect((await fetch(stack.info.webhookUrl, { method: 'POST', headers, body })).status).toBe(200);
}

const kpis = async (query = ''): Promise<KpiReport> => (await (await fetch(`${stack.info.kpiUrl}${query}`)).json()) as KpiReport;

/** Every counter's total as the page shows it, as numbers ("—" stays text). */
const countersOnPage = (): Promise<Record<string, number | string>> =>
  page.$$eval('td[data-counter]:not([data-milestone])', (cells) =>
    Object.fromEntries(
      cells.map((cell) => {
        const text = cell.textContent ?? '';
        const digits = text.replace(/[^\d.-]/g, '');
        return [cell.getAttribute('data-counter'), digits === '' ? text : Number(digits)];
      }),
    ),
  );

describe('dashboard page', () => {
  it('is listed in local.json and served as one self-contained HTML document', async () => {
    const written = JSON.parse(await readFile(join(running.stateDir, 'local.json'), 'utf8')) as Record<string, unknown>;
    expect(written.dashboardUrl).toBe(stack.info.dashboardUrl);
    const response = await fetch(stack.info.dashboardUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|https?:\/\/(?!www\.w3\.org)/);
    expect((await fetch(stack.info.dashboardUrl, { method: 'POST' })).status).toBe(405);
  });

  it('shows the KPI API figures after a whole journey and an NPS answer, follows the filters, logs no error', async () => {
    const { info, simulator } = stack;
    expect(await putPurchase(info, purchaseDetail('ORD-2001', { id: 'CUST-88', phone: '+5491155550002', name: 'Tomás' }))).toBe(0);

    await waitFor('the journey read on every milestone', async () => {
      const report = await kpis();
      // Nobody answers the survey in time, so it gets its reminder: two day-30 messages.
      return report.byMilestone.day7.read === 1 && report.byMilestone.day30.read === 2 && report.byMilestone.day60.read === 1 ? report : undefined;
    });
    const day30 = simulator!.sends.find((s) => (s.request as { template?: { name: string } }).template?.name === 'posventa_day30_nps');
    await reply(day30!, '9');
    // The store's helpdesk: two tickets, one reopened; first replies after 90 s and 150 s.
    const customerMessageAt = stack.clock.now();
    const after = (seconds: number) => new Date(customerMessageAt.getTime() + seconds * 1000).toISOString();
    expect(
      await putHelpdeskEvents(info, [
        { type: 'Ticket Opened', detail: { ticketId: 'T-1', occurredAt: after(0) } },
        { type: 'Ticket Opened', detail: { ticketId: 'T-2', occurredAt: after(0) } },
        { type: 'Agent Replied', detail: { ticketId: 'T-1', occurredAt: after(90), customerMessageAt: after(0) } },
        { type: 'Agent Replied', detail: { ticketId: 'T-2', occurredAt: after(150), customerMessageAt: after(0) } },
        { type: 'Ticket Reopened', detail: { ticketId: 'T-1', occurredAt: after(600) } },
      ]),
    ).toBe(0);
    const report = await waitFor('the NPS answer and the helpdesk events counted', async () => {
      const current = await kpis();
      return current.totals.npsAnswers === 1 && current.totals.ticketsReopened === 1 && current.totals.firstResponses === 2 ? current : undefined;
    });
    expect(report.totals).toMatchObject({ sent: 4, delivered: 4, read: 4, npsAnswers: 1, npsPromoters: 1, ticketsOpened: 2 });

    await page.goto(info.dashboardUrl);
    await page.locator('[data-value="sent"]').filter({ hasText: /\d/ }).waitFor();
    // The page and the API agree on every counter (polled: the page reads on its own schedule).
    await expect.poll(countersOnPage, { timeout: 10_000 }).toEqual(Object.fromEntries(COUNTERS.map((c) => [c, (report.totals as Record<string, number>)[c]])));

    expect(await page.locator('[data-value="sent"]').textContent()).toBe('4');
    expect(await page.locator('[data-value="delivered"]').textContent()).toBe('4');
    expect(await page.locator('[data-value="read"]').textContent()).toBe('4');
    expect(await page.locator('[data-value="responders"]').textContent()).toBe('1');
    expect(await page.locator('[data-kpi="nps"] .value').textContent()).toBe('+100');
    expect(await page.locator('[data-kpi="deliveryRate"] .value').textContent()).toBe('100%');
    expect(await page.locator('[data-kpi="reopenedRate"] .value').textContent()).toBe('50%');
    // Mean 120 s; p90 from the histogram: rank 1.8 of 2 in (120, 300] → 120 + 180 × 0.8 = 264 s.
    expect(await page.locator('[data-kpi="firstResponse"] .value').textContent()).toBe('2 min');
    expect(await page.locator('[data-kpi="firstResponse"] .hint').textContent()).toContain('p90 4.4 min');
    expect(await page.locator('[data-kpi="firstResponse"] .verdict').textContent()).toContain('On target');
    // No holdout group, so no lift to show.
    expect(await page.locator('[data-kpi="optOutRate"] .value').textContent()).toBe('0%');
    expect(await page.locator('[data-kpi="repurchaseLift"]').count()).toBe(0);
    expect(await page.locator('#templates tr[data-template]').count()).toBe(Object.keys(report.byTemplate).length);
    // One test per milestone, its variants side by side (day 30's reminder counts for the survey's variant).
    expect(await page.locator('.ab-test').count()).toBe(3);
    for (const milestone of ['day7', 'day30', 'day60'] as const) {
      expect(await page.locator(`.ab-test[data-milestone="${milestone}"] tr[data-variant]`).count()).toBe(Object.keys(report.byVariant[milestone].variants).length);
    }
    expect(await page.locator('#nps-trend circle').count()).toBe(1);
    expect(await page.getByRole('img', { name: /^Funnel: Sent 4/ }).count()).toBe(1);

    const screenshotDir = await mkdtemp(join(tmpdir(), 'posventa-dashboard-shot-'));
    const screenshot = join(screenshotDir, 'dashboard.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.info(`dashboard screenshot: ${screenshot}`);

    const day7Only = await kpis('?milestone=day7');
    await page.getByLabel('Milestone').selectOption('day7');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('[data-value="sent"]').textContent()).toBe(String(day7Only.totals.sent));
    expect(day7Only.totals.sent).toBe(1);
    expect(new URL(page.url()).searchParams.get('milestone')).toBe('day7');

    expect(browserErrors).toEqual([]);
  });
});
