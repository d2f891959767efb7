import { chromium } from 'playwright-core';

/** Debian's Chromium, as the dashboard's e2e test uses it (playwright-core downloads no browser). */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Opens the local dashboard, waits for its first KPI figures, and saves a full-page PNG. */
export async function screenshotDashboard(dashboardUrl: string, path: string): Promise<void> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(dashboardUrl);
    await page.locator('[data-kpi="nps"] .value').waitFor();
    // One refresh after the first paint, so charts drawn from the report are there.
    await page.waitForTimeout(1_000);
    await page.screenshot({ path, fullPage: true });
  } finally {
    await browser.close();
  }
}
