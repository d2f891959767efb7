import { z } from 'zod';
import type { AwsJsonOperation, AwsJsonResult } from '../aws-json';
import type { ExecutionDescription, ExecutionRegistry, ExecutionSummary } from './executions';
import type { HistoryEvent } from './history';
import type { Outcome } from './outcome';

/**
 * The Step Functions operations on the wire: request shapes checked like the service checks
 * them (ValidationException), and answers in its JSON shapes, dates as epoch seconds.
 */

const arn = z.string().min(1).max(256);
const status = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

const requests = {
  StartExecution: z.object({ stateMachineArn: arn, name: z.string().optional(), input: z.string().optional() }),
  DescribeExecution: z.object({ executionArn: arn }),
  StopExecution: z.object({
    executionArn: arn,
    error: z.string().max(256).optional(),
    cause: z.string().max(32768).optional(),
  }),
  ListExecutions: z.object({
    stateMachineArn: arn,
    statusFilter: status.optional(),
    maxResults: z.number().int().min(0).max(1000).optional(),
    nextToken: z.string().min(1).max(1024).optional(),
  }),
  GetExecutionHistory: z.object({
    executionArn: arn,
    maxResults: z.number().int().min(0).max(1000).optional(),
    reverseOrder: z.boolean().optional(),
    nextToken: z.string().min(1).max(3096).optional(),
    includeExecutionData: z.boolean().optional(),
  }),
};

export function stepFunctionsOperations(registry: ExecutionRegistry): Record<string, AwsJsonOperation> {
  return {
    StartExecution: (body) =>
      withRequest(requests.StartExecution, body, (request) =>
        answer(registry.startExecution(request), ({ executionArn, startDate }) => ({
          executionArn,
          startDate: epochSeconds(startDate),
        })),
      ),
    DescribeExecution: (body) =>
      withRequest(requests.DescribeExecution, body, (request) =>
        answer(registry.describeExecution(request), describedOnWire),
      ),
    StopExecution: (body) =>
      withRequest(requests.StopExecution, body, (request) =>
        answer(registry.stopExecution(request), ({ stopDate }) => ({ stopDate: epochSeconds(stopDate) })),
      ),
    ListExecutions: (body) =>
      withRequest(requests.ListExecutions, body, (request) =>
        answer(registry.listExecutions(request), ({ executions, nextToken }) => ({
          executions: executions.map(summaryOnWire),
          ...(nextToken !== undefined && { nextToken }),
        })),
      ),
    GetExecutionHistory: (body) =>
      withRequest(requests.GetExecutionHistory, body, (request) =>
        answer(registry.getExecutionHistory(request), ({ events, nextToken }) => ({
          events: events.map(historyEventOnWire),
          ...(nextToken !== undefined && { nextToken }),
        })),
      ),
  };
}

function historyEventOnWire(event: HistoryEvent): Record<string, unknown> {
  return {
    id: event.id,
    previousEventId: event.previousEventId,
    timestamp: epochSeconds(event.timestamp),
    type: event.type,
    ...(event.details !== undefined && { [event.details.name]: event.details.value }),
  };
}

function withRequest<T>(schema: z.ZodType<T>, body: unknown, run: (request: T) => AwsJsonResult): AwsJsonResult {
  const parsed = schema.safeParse(body);
  if (parsed.success) return run(parsed.data);
  const problems = parsed.error.issues.map((issue) => `Value at '${issue.path.join('.')}' failed to satisfy constraint: ${issue.message}`);
  return {
    ok: false,
    error: { name: 'ValidationException', message: `${problems.length} validation error(s) detected: ${problems.join('; ')}` },
  };
}

function answer<T>(outcome: Outcome<T>, toWire: (value: T) => unknown): AwsJsonResult {
  if (outcome.ok) return { ok: true, value: toWire(outcome.value) };
  // The SDK retries a 503; every other refusal is the caller's to fix.
  const httpStatus = outcome.error.name === 'ServiceUnavailable' ? 503 : 400;
  return { ok: false, error: { ...outcome.error, httpStatus } };
}

function describedOnWire(execution: ExecutionDescription): Record<string, unknown> {
  return {
    ...summaryOnWire(execution),
    input: execution.input,
    inputDetails: { included: true },
    ...(execution.output !== undefined && { output: execution.output, outputDetails: { included: true } }),
    ...(execution.error !== undefined && { error: execution.error }),
    ...(execution.cause !== undefined && { cause: execution.cause }),
  };
}

function summaryOnWire(execution: ExecutionSummary): Record<string, unknown> {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: epochSeconds(execution.startDate),
    ...(execution.stopDate !== undefined && { stopDate: epochSeconds(execution.stopDate) }),
  };
}

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}
