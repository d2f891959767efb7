import { join } from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '../infra/paths';
import { resolveCustomerRates, type CustomerRates } from './customers';
import { startLocalStack, type LocalStack } from './stack';

// The SDK warns that it will need Node 22 from 2027; the lock file keeps working versions.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The local contract of DESIGN.md §5: these variables and their defaults. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_530).default(3000),
  POSVENTA_DAY_MS: z.coerce.number().positive().default(1000),
  GRAPH_API_BASE_URL: z.url().optional(),
  META_APP_SECRET: z.string().min(1).default('posventa-local-app-secret'),
  META_VERIFY_TOKEN: z.string().min(1).default('posventa-local-verify-token'),
  META_ACCESS_TOKEN: z.string().min(1).default('posventa-local-access-token'),
  POSVENTA_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('WARN'),
  POSVENTA_CUSTOMERS: z.enum(['on', 'off']).default('on'),
  POSVENTA_CUSTOMERS_SEED: z.string().min(1).default('posventa'),
  POSVENTA_CUSTOMER_RATES: z
    .string()
    .transform((text, ctx) => {
      try {
        return resolveCustomerRates(JSON.parse(text));
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: error instanceof SyntaxError ? `not JSON: ${error.message}` : (error as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
});

function describe({ info, simulator, customers }: LocalStack): string {
  const simulated = simulator !== undefined;
  return [
    '',
    'Posventa is running locally.',
    '',
    `  Webhook (point Meta here)   ${info.webhookUrl}`,
    `  KPI API                     ${info.kpiUrl}`,
    `  Dashboard                   ${info.dashboardUrl}`,
    `  EventBridge endpoint        ${info.eventBridgeEndpoint}   (bus "${info.eventBusName}", region ${info.region})`,
    `  Step Functions endpoint     ${info.stepFunctionsEndpoint}`,
    `  DynamoDB Local              ${info.dynamoDbEndpoint}`,
    `  Graph API                   ${info.graphApiBaseUrl}${simulated ? '   (built-in Meta simulator)' : ''}`,
    '',
    `  Meta app secret             ${info.metaAppSecret}`,
    `  Meta verify token           ${info.metaVerifyToken}`,
    `  Graph API access token      ${info.metaAccessToken}`,
    ...(simulated ? [`  Simulated customers         ${customers === undefined ? 'off' : describeRates(customers.rates)}`] : []),
    `  Virtual day                 ${info.dayMs} ms (a 60-day journey takes about ${Math.round((60 * info.dayMs) / 1000)} s)`,
    '',
    `Written to .posventa/local.json. Send a purchase: npx tsx local/send-purchase.ts`,
    'Ctrl-C to stop.',
    '',
  ].join('\n');
}

function describeRates(rates: CustomerRates): string {
  const percent = (share: number) => `${Math.round(share * 1000) / 10} %`;
  const day7 = rates.day7.chat + rates.day7.booking + rates.day7.freeText;
  const day30 = rates.day30.score + rates.day30.callback;
  return `answer day 7 ${percent(day7)}, day 30 ${percent(day30)}, day 60 ${percent(rates.day60.yes)}; opt out ${percent(rates.optOut)}; unreachable ${percent(rates.undeliverable)}`;
}

async function main(): Promise<void> {
  const env = envSchema.safeParse(process.env);
  if (!env.success) {
    console.error(`Invalid environment for npm start:\n${z.prettifyError(env.error)}`);
    process.exit(2);
  }
  const started = Date.now();
  const stack = await startLocalStack({
    port: env.data.PORT,
    dayMs: env.data.POSVENTA_DAY_MS,
    ...(env.data.GRAPH_API_BASE_URL === undefined ? {} : { graphApiBaseUrl: env.data.GRAPH_API_BASE_URL }),
    metaAppSecret: env.data.META_APP_SECRET,
    metaVerifyToken: env.data.META_VERIFY_TOKEN,
    metaAccessToken: env.data.META_ACCESS_TOKEN,
    stateDir: join(REPO_ROOT, '.posventa'),
    functionLogLevel: env.data.POSVENTA_LOG_LEVEL,
    ...(env.data.POSVENTA_CUSTOMERS === 'off' ? {} : { customers: { seed: env.data.POSVENTA_CUSTOMERS_SEED, rates: env.data.POSVENTA_CUSTOMER_RATES ?? {} } }),
    log: (line) => console.log(`[local] ${line}`),
  });
  console.log(describe(stack));
  console.log(`Ready in ${((Date.now() - started) / 1000).toFixed(1)} s.`);

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    void stack.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: Error) => {
  console.error(`npm start failed: ${error.message}`);
  process.exit(1);
});
