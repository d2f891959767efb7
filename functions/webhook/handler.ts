import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { publishDomainEvents } from '#shared/aws/eventbridge';
import { readParameter, readSecret } from '#shared/aws/secrets';
import { ENV, requireEnv } from '#shared/env';
import { createLogger } from '#shared/log';
import { SIGNATURE_HEADER } from '#shared/whatsapp/signature';
import { answerVerification, takeInWebhook } from '#shared/whatsapp/webhook-intake';

const logger = createLogger('webhook');
const eventBusName = requireEnv(ENV.eventBusName);
const appSecretId = requireEnv(ENV.metaAppSecretSecretId);
const verifyTokenParameter = requireEnv(ENV.metaVerifyTokenParameter);

const text = (statusCode: number, body: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body,
});

async function verify(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const answer = answerVerification(event.queryStringParameters ?? {}, await readParameter(verifyTokenParameter));
  return answer.statusCode === 200 ? text(200, answer.challenge) : text(403, 'Forbidden');
}

async function receive(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const rawBody = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const intake = takeInWebhook(rawBody, event.headers[SIGNATURE_HEADER], await readSecret(appSecretId));
  if (!intake.accepted) {
    logger.warn('webhook rejected', { statusCode: intake.statusCode, reason: intake.reason });
    return text(intake.statusCode, intake.reason);
  }
  // Effects before the 200: if they fail, Meta's retry brings the events again (ids dedupe them).
  await publishDomainEvents(eventBusName, intake.events);
  if (intake.ignored.length > 0) logger.info('webhook items ignored', { ignored: intake.ignored });
  return text(200, 'OK');
}

async function webhook(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  switch (event.requestContext.http.method) {
    case 'GET':
      return verify(event);
    case 'POST':
      return receive(event);
    default:
      return text(405, 'Method Not Allowed');
  }
}

export const handler = middy(webhook).use(injectLambdaContext(logger));
