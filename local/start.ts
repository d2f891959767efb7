import { join } from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '../infra/paths';
import { startLocalStack, type LocalStackInfo } from './stack';

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
});

function describe(info: LocalStackInfo, simulated: boolean): string {
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
    `  Virtual day                 ${info.dayMs} ms (a 60-day journey takes about ${Math.round((60 * info.dayMs) / 1000)} s)`,
    '',
    `Written to .posventa/local.json. Send a purchase: npx tsx local/send-purchase.ts`,
    'Ctrl-C to stop.',
    '',
  ].join('\n');
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
    log: (line) => console.log(`[local] ${line}`),
  });
  console.log(describe(stack.info, stack.simulator !== undefined));
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
