import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { virtualClock } from '#shared/clock';
import { PURCHASE_COMPLETED, PURCHASE_EVENT_SOURCE, type PurchaseDetail } from '#shared/events/purchase';
import { REPO_ROOT } from '../infra/paths';
import type { LocalStackInfo } from './stack';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * What a store does on every sale, against the running local stack: one `Purchase Completed`
 * event through the real EventBridge client. Usage: npx tsx local/send-purchase.ts [orderId] [phone]
 */
async function main(): Promise<void> {
  const info = JSON.parse(await readFile(join(REPO_ROOT, '.posventa', 'local.json'), 'utf8')) as LocalStackInfo;
  const [orderId = `ORD-${Date.now()}`, phone = '+5491155550001'] = process.argv.slice(2);
  // The stack's virtual time, not the wall clock: it runs ahead, and a purchase stamped in its
  // past would have its day-7 and day-30 messages due at once.
  const now = virtualClock(info.clockEpochMs, info.dayMs).now().toISOString();
  const detail: PurchaseDetail = {
    orderId,
    purchasedAt: now,
    customer: {
      id: 'CUST-1',
      phone,
      name: 'Lucía',
      locale: 'es-AR',
      timezone: 'America/Argentina/Buenos_Aires',
      optIn: { source: 'checkout-checkbox', at: now },
    },
    items: [{ sku: 'CAF-DLX', name: 'Cafetera Deluxe', category: 'kitchen' }],
    total: { amount: 189_999, currency: 'ARS' },
  };
  const client = new EventBridgeClient({
    endpoint: info.eventBridgeEndpoint,
    region: info.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const result = await client.send(
    new PutEventsCommand({
      Entries: [{ EventBusName: info.eventBusName, Source: PURCHASE_EVENT_SOURCE, DetailType: PURCHASE_COMPLETED, Detail: JSON.stringify(detail) }],
    }),
  );
  if (result.FailedEntryCount) throw new Error(`EventBridge refused the event: ${JSON.stringify(result.Entries)}`);
  console.log(`Purchase ${orderId} sent (event ${result.Entries?.[0]?.EventId}). Watch the KPIs: ${info.kpiUrl}`);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
