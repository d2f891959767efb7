import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { HELPDESK_EVENT_SOURCE } from '#shared/events/helpdesk';
import { PURCHASE_COMPLETED, PURCHASE_EVENT_SOURCE } from '#shared/events/purchase';
import { signWebhookBody } from '#shared/whatsapp/signature';
import { startLocalStack, type LocalStack, type LocalStackInfo, type LocalStackOptions } from '../../local/stack';

/** Secrets every e2e stack uses unless a test says otherwise. */
export const E2E_SECRETS = { metaAppSecret: 'e2e-app-secret', metaVerifyToken: 'e2e-verify-token', metaAccessToken: 'e2e-access-token' } as const;

export interface TestStack {
  stack: LocalStack;
  /** Where the stack wrote local.json and its cloud assembly. */
  stateDir: string;
  /** Stops the stack and removes its state directory. */
  stop(): Promise<void>;
}

/** The whole local stack on ephemeral ports, quiet, with its own state directory. */
export async function startTestStack(options: Partial<LocalStackOptions> & { dayMs: number }): Promise<TestStack> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const stateDir = await mkdtemp(join(tmpdir(), 'posventa-e2e-'));
  const stack = await startLocalStack({ port: 0, ...E2E_SECRETS, stateDir, functionLogLevel: 'ERROR', log: () => undefined, ...options });
  return {
    stack,
    stateDir,
    stop: async () => {
      await stack.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** A purchase as a store sends it, opted in at checkout. */
export function purchaseDetail(orderId: string, customer: Partial<Record<'id' | 'phone' | 'name' | 'locale' | 'timezone', string>> = {}, at = new Date()) {
  return {
    orderId,
    purchasedAt: at.toISOString(),
    customer: {
      id: 'CUST-77',
      phone: '+5491155550001',
      name: 'Lucía',
      locale: 'es-AR',
      timezone: 'America/Argentina/Buenos_Aires',
      optIn: { source: 'checkout-checkbox', at: at.toISOString() },
      ...customer,
    },
    items: [{ sku: 'CAF-DLX', name: 'Cafetera Deluxe', category: 'kitchen' }],
    total: { amount: 189999, currency: 'ARS' },
  };
}

/** Puts `Purchase Completed` through the real EventBridge client, as a store does; returns the failed entry count. */
export async function putPurchase(info: LocalStackInfo, detail: object): Promise<number> {
  const client = new EventBridgeClient({ endpoint: info.eventBridgeEndpoint, region: info.region, credentials: { accessKeyId: 'store', secretAccessKey: 'store' } });
  const result = await client.send(
    new PutEventsCommand({ Entries: [{ EventBusName: info.eventBusName, Source: PURCHASE_EVENT_SOURCE, DetailType: PURCHASE_COMPLETED, Detail: JSON.stringify(detail) }] }),
  );
  return result.FailedEntryCount ?? 0;
}

/** Puts helpdesk events through the real EventBridge client, as a store's helpdesk does; returns the failed entry count. */
export async function putHelpdeskEvents(info: LocalStackInfo, events: ReadonlyArray<{ type: string; detail: object; source?: string }>): Promise<number> {
  const client = new EventBridgeClient({ endpoint: info.eventBridgeEndpoint, region: info.region, credentials: { accessKeyId: 'helpdesk', secretAccessKey: 'helpdesk' } });
  let failed = 0;
  // PutEvents takes at most 10 entries.
  for (let i = 0; i < events.length; i += 10) {
    const Entries = events.slice(i, i + 10).map(({ type, detail, source }) => ({
      EventBusName: info.eventBusName,
      Source: source ?? HELPDESK_EVENT_SOURCE,
      DetailType: type,
      Detail: JSON.stringify(detail),
    }));
    failed += (await client.send(new PutEventsCommand({ Entries }))).FailedEntryCount ?? 0;
  }
  return failed;
}

/** A customer's text message as Meta posts it: serialized once and signed with the app secret. */
export function inboundTextWebhook(
  info: LocalStackInfo,
  message: { from: string; wamid: string; text: string; at: Date; repliesTo?: string },
  appSecret: string = E2E_SECRETS.metaAppSecret,
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '5491100000000', phone_number_id: info.phoneNumberId },
              contacts: [{ profile: { name: 'Cliente' }, wa_id: message.from }],
              messages: [
                {
                  from: message.from,
                  id: message.wamid,
                  timestamp: String(Math.floor(message.at.getTime() / 1000)),
                  type: 'text',
                  text: { body: message.text },
                  ...(message.repliesTo === undefined ? {} : { context: { from: '5491100000000', id: message.repliesTo } }),
                },
              ],
            },
          },
        ],
      },
    ],
  });
  return { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(body, appSecret) } };
}
