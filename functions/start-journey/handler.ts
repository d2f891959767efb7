import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { dynamoConsentStore } from '#shared/aws/consent-store';
import { publishDomainEvents } from '#shared/aws/eventbridge';
import { dynamoAttributionStore, dynamoContactJourneyIndex, dynamoDeliveryLog } from '#shared/aws/journey-store';
import { executionArnFor, startExecutionOnce } from '#shared/aws/stepfunctions';
import { clockFromEnv } from '#shared/clock';
import { ENV, requireEnv } from '#shared/env';
import { purchaseDetailSchema } from '#shared/events/purchase';
import { journeyConfigFromEnv } from '#shared/journey/config';
import { enrolPurchase, type EnrolDeps } from '#shared/journey/enrol';
import { attributePurchase, type AttributionDeps } from '#shared/journey/repurchase';
import { journeyExecution } from '#shared/journey/start';
import { createLogger } from '#shared/log';
import { parseWith } from '#shared/validation';

const logger = createLogger('start-journey');
const stateMachineArn = requireEnv(ENV.journeyStateMachineArn);
const journeyConfig = journeyConfigFromEnv();
const clock = clockFromEnv();
const journeysTable = requireEnv(ENV.journeysTableName);
const eventBusName = requireEnv(ENV.eventBusName);
const journeys = dynamoContactJourneyIndex(journeysTable);
const publish: EnrolDeps['publish'] = (events) => publishDomainEvents(eventBusName, events);
const deps: EnrolDeps = {
  clock,
  consent: dynamoConsentStore(requireEnv(ENV.contactsTableName)),
  journeys,
  repurchaseWindowDays: journeyConfig.repurchaseWindowDays,
  executionArnOf: (name) => executionArnFor(stateMachineArn, name),
  start: (name, input) => startExecutionOnce(stateMachineArn, name, input),
  publish,
};
const attribution: AttributionDeps = {
  deliveries: dynamoDeliveryLog(journeysTable),
  journeys,
  attributions: dynamoAttributionStore(journeysTable),
  settings: journeyConfig,
  publish,
};

/** Thrown for events that can never start a journey; the async-invoke failure queue keeps them with this message. */
export class InvalidPurchaseEvent extends Error {
  override readonly name = 'InvalidPurchaseEvent';
}

async function startJourney(event: EventBridgeEvent<string, unknown>): Promise<{ orderId: string; execution: string }> {
  const purchase = parseWith(purchaseDetailSchema, event.detail);
  if (!purchase.ok) throw new InvalidPurchaseEvent(`Purchase event ${event.id} is invalid: ${purchase.reason}`);

  const execution = journeyExecution(purchase.value, journeyConfig, clock.now());
  const enrolment = await enrolPurchase(purchase.value, execution, deps);
  // After the journey started: an attribution that fails (and is retried) never holds a journey back.
  const attributed = await attributePurchase(purchase.value, execution.input.holdout, attribution);
  logger.info('journey', {
    orderId: purchase.value.orderId,
    execution: enrolment.execution,
    optIn: enrolment.optIn ?? 'none in the event',
    holdout: execution.input.holdout,
    schedule: execution.input.schedule,
    repurchaseOf: attributed === undefined ? 'none' : { attribution: attributed.attribution, orderId: attributed.orderId, milestone: attributed.milestone ?? null },
  });
  return { orderId: purchase.value.orderId, execution: enrolment.execution };
}

export const handler = middy(startJourney).use(injectLambdaContext(logger));
