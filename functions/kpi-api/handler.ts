import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { readCounterRows } from '#shared/aws/kpi-store';
import { ENV, requireEnv } from '#shared/env';
import { MILESTONE_IDS } from '#shared/journey/milestones';
import { buildKpiReport } from '#shared/kpi/report';
import { createLogger } from '#shared/log';
import { parseWith } from '#shared/validation';

const logger = createLogger('kpi-api');
const tableName = requireEnv(ENV.kpiTableName);

const day = () => z.optional(z.iso.date());
const querySchema = z
  .looseObject({
    from: day(),
    to: day(),
    milestone: z.optional(z.enum(MILESTONE_IDS)),
    template: z.optional(z.string().check(z.minLength(1))),
    variant: z.optional(z.string().check(z.minLength(1))),
  })
  .check(z.refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: '"from" must not be after "to"' }));

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

async function kpis(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const query = parseWith(querySchema, event.queryStringParameters ?? {});
  if (!query.ok) return json(400, { message: `Invalid query: ${query.reason}` });
  const report = buildKpiReport(await readCounterRows(tableName, query.value), query.value);
  return json(200, report);
}

export const handler = middy(kpis).use(injectLambdaContext(logger));
