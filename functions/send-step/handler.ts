import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod/mini';
import { dynamoConsentStore } from '#shared/aws/consent-store';
import { publishDomainEvents } from '#shared/aws/eventbridge';
import { dynamoContactJourneyIndex, dynamoJourneyStore } from '#shared/aws/journey-store';
import { dynamoMarketingPauses } from '#shared/aws/marketing-pause';
import { readSecret } from '#shared/aws/secrets';
import { clockFromEnv } from '#shared/clock';
import { ENV, requireEnv } from '#shared/env';
import { purchaseDetailSchema } from '#shared/events/purchase';
import { journeyConfigFromEnv } from '#shared/journey/config';
import { MILESTONE_IDS } from '#shared/journey/milestones';
import { runSendStep, type SendOutcome } from '#shared/journey/send-step';
import { createLogger } from '#shared/log';
import { parseWith } from '#shared/validation';
import { DEFAULT_GRAPH_API_BASE_URL, sendTemplate } from '#shared/whatsapp/graph-client';

const logger = createLogger('send-step');
const clock = clockFromEnv();
const journeysTable = requireEnv(ENV.journeysTableName);
const journeys = dynamoJourneyStore(journeysTable);
const contactJourneys = dynamoContactJourneyIndex(journeysTable);
const contactsTableName = requireEnv(ENV.contactsTableName);
const consent = dynamoConsentStore(contactsTableName);
const pauses = dynamoMarketingPauses(contactsTableName);
const config = journeyConfigFromEnv();
const eventBusName = requireEnv(ENV.eventBusName);
const graph = {
  baseUrl: process.env[ENV.graphApiBaseUrl] || DEFAULT_GRAPH_API_BASE_URL,
  version: requireEnv(ENV.graphApiVersion),
  phoneNumberId: requireEnv(ENV.whatsappPhoneNumberId),
  accessTokenSecretId: requireEnv(ENV.metaAccessTokenSecretId),
  ...(process.env[ENV.graphApiTimeoutMs] ? { timeoutMs: Number(process.env[ENV.graphApiTimeoutMs]) } : {}),
};

const inputSchema = z.object({
  orderId: z.string().check(z.minLength(1)),
  purchase: purchaseDetailSchema,
  milestone: z.enum(MILESTONE_IDS),
  dueAt: z.iso.datetime({ offset: true }),
  holdout: z.optional(z.boolean()),
  /** The step's previous outcome, when the state machine comes back after a deferral. */
  outcome: z.optional(
    z.looseObject({
      status: z.string(),
      capDeferrals: z.optional(z.int().check(z.minimum(0))),
      metaLimitRetries: z.optional(z.int().check(z.minimum(0))),
    }),
  ),
});

/** The state machine catches this and moves on to the next milestone. */
export class InvalidSendStepInput extends Error {
  override readonly name = 'InvalidSendStepInput';
}

async function sendStep(event: unknown): Promise<SendOutcome> {
  const input = parseWith(inputSchema, event);
  if (!input.ok) throw new InvalidSendStepInput(input.reason);
  logger.appendKeys({ orderId: input.value.orderId, milestone: input.value.milestone });

  const outcome = await runSendStep(input.value, {
    clock,
    journeys,
    consent,
    pauses,
    config,
    send: async (message) => sendTemplate({ ...graph, accessToken: await readSecret(graph.accessTokenSecretId) }, message),
    publish: (events) => publishDomainEvents(eventBusName, events),
    contactJourneys,
  });
  logger.info('send step', { outcome });
  return outcome;
}

export const handler = middy(sendStep).use(injectLambdaContext(logger, { resetKeys: true }));
