import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod/mini';
import { dynamoConsentStore } from '#shared/aws/consent-store';
import { publishDomainEvents } from '#shared/aws/eventbridge';
import { dynamoContactJourneyIndex, dynamoJourneyStore } from '#shared/aws/journey-store';
import { dynamoMarketingPauses } from '#shared/aws/marketing-pause';
import { dynamoMessageFacts, dynamoNpsAnswers } from '#shared/aws/message-facts';
import { readSecret } from '#shared/aws/secrets';
import { dynamoTemplateStatusStore } from '#shared/aws/template-status-store';
import { clockFromEnv } from '#shared/clock';
import { ENV, requireEnv } from '#shared/env';
import { purchaseDetailSchema } from '#shared/events/purchase';
import { journeyConfigFromEnv } from '#shared/journey/config';
import { MILESTONE_IDS } from '#shared/journey/milestones';
import { runFollowUpStep, type FollowUpOutcome } from '#shared/journey/follow-up';
import { runSendStep, type SendOutcome, type SendStepDeps } from '#shared/journey/send-step';
import { createLogger } from '#shared/log';
import { cachedAvailability } from '#shared/templates/status';
import { parseWith } from '#shared/validation';
import { DEFAULT_GRAPH_API_BASE_URL, sendTemplate } from '#shared/whatsapp/graph-client';

const logger = createLogger('send-step');
const clock = clockFromEnv();
const journeysTable = requireEnv(ENV.journeysTableName);
const contactsTableName = requireEnv(ENV.contactsTableName);
const journeys = dynamoJourneyStore(journeysTable, { consentTableName: contactsTableName });
const contactJourneys = dynamoContactJourneyIndex(journeysTable);
const followUps = dynamoMessageFacts(journeysTable);
const consent = dynamoConsentStore(contactsTableName);
const pauses = dynamoMarketingPauses(contactsTableName);
const templateAvailability = cachedAvailability(dynamoTemplateStatusStore(requireEnv(ENV.templatesTableName)));
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
      unconfirmedResends: z.optional(z.int().check(z.minimum(0))),
    }),
  ),
});

const count = z.optional(z.int().check(z.minimum(0)));
const nonEmpty = z.string().check(z.minLength(1));

/**
 * The follow-up (statemachines/journey.asl.json `FollowUp`): the send step's outcome, later:
 * `sent` (what came of the message) or `unconfirmed` (did Meta take it: reconciliation).
 */
const followUpInputSchema = z.object({
  step: z.literal('follow-up'),
  orderId: nonEmpty,
  purchase: purchaseDetailSchema,
  milestone: z.enum(MILESTONE_IDS),
  outcome: z.discriminatedUnion('status', [
    z.looseObject({
      status: z.literal('sent'),
      wamid: nonEmpty,
      template: nonEmpty,
      variant: nonEmpty,
      followUpAt: z.iso.datetime({ offset: true }),
      metaLimitRetries: count,
      reminder: z.optional(z.object({ sentAt: z.iso.datetime({ offset: true }), wamid: z.optional(nonEmpty) })),
    }),
    z.looseObject({
      status: z.literal('unconfirmed'),
      reason: z.string(),
      template: nonEmpty,
      variant: nonEmpty,
      claimedAt: z.iso.datetime({ offset: true }),
      followUpAt: z.iso.datetime({ offset: true }),
      capDeferrals: count,
      metaLimitRetries: count,
      unconfirmedResends: count,
    }),
  ]),
});

/** The state machine catches this and moves on to the next milestone. */
export class InvalidSendStepInput extends Error {
  override readonly name = 'InvalidSendStepInput';
}

const deps: SendStepDeps = {
  clock,
  journeys,
  consent,
  pauses,
  config,
  send: async (message) => sendTemplate({ ...graph, accessToken: await readSecret(graph.accessTokenSecretId) }, message),
  publish: (events) => publishDomainEvents(eventBusName, events),
  contactJourneys,
  templateAvailability,
  npsAnswers: dynamoNpsAnswers(journeysTable),
};

/**
 * One function, two steps: the send (default) and, with `step: "follow-up"`, what follows it:
 * a sent message's follow-up, or an unconfirmed send's reconciliation.
 */
async function sendStep(event: unknown): Promise<SendOutcome | FollowUpOutcome> {
  if (typeof event === 'object' && event !== null && 'step' in event) {
    const input = parseWith(followUpInputSchema, event);
    if (!input.ok) throw new InvalidSendStepInput(input.reason);
    const step = input.value.outcome.status === 'sent' ? 'follow-up' : 'reconcile';
    logger.appendKeys({ orderId: input.value.orderId, milestone: input.value.milestone, step });
    const outcome = await runFollowUpStep(input.value, { ...deps, followUps });
    logger.info(`${step} step`, loggable(outcome));
    return outcome;
  }
  const input = parseWith(inputSchema, event);
  if (!input.ok) throw new InvalidSendStepInput(input.reason);
  logger.appendKeys({ orderId: input.value.orderId, milestone: input.value.milestone });
  const outcome = await runSendStep(input.value, deps);
  logger.info('send step', loggable(outcome));
  return outcome;
}

/** The outcome without its wamids: Meta's message ids embed the customer's phone number. */
function loggable(outcome: SendOutcome | FollowUpOutcome): Record<string, unknown> {
  const { wamid: _wamid, reminder: _reminder, ...rest } = outcome as Record<string, unknown>;
  return { outcome: rest };
}

export const handler = middy(sendStep).use(injectLambdaContext(logger, { resetKeys: true }));
