import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { isMilestoneId } from '#shared/journey/milestones';
import type { ExecutionState, StackReader } from './stack-reader';

/**
 * One journey execution followed through GetExecutionHistory: every send step and follow-up
 * it ran, with the outcome the step returned, turned into lines a person can read. The
 * outputs hold the purchase (and its phone), so only the outcome's fields are ever shown.
 */

/** What one send step or follow-up returned, as the state machine kept it. */
export interface StepOutcome {
  state: 'SendMessage' | 'FollowUp';
  milestone: string;
  /** Virtual time the step ended. */
  at: Date;
  status: string;
  reason?: string;
  detail?: string;
  template?: string;
  variant?: string;
  wamid?: string;
  retryAt?: string;
  result?: string;
  reminder?: { sentAt: string };
}

/** A line to narrate, at the virtual time it happened. */
export interface Happening {
  at: Date;
  text: string;
}

export interface JourneyWatch {
  readonly orderId: string;
  /** Every step outcome seen so far, in order. */
  readonly outcomes: readonly StepOutcome[];
  /** The execution as DescribeExecution last answered (undefined before it exists). */
  readonly execution: ExecutionState | undefined;
  /** Reads the execution again; returns what happened since the last poll. */
  poll(): Promise<Happening[]>;
}

/** `dayOf` writes a virtual time as the scenario's day ("day 67.4"). */
export function watchJourney(orderId: string, reader: StackReader, label: string, dayOf: (at: Date) => string): JourneyWatch {
  const outcomes: StepOutcome[] = [];
  let execution: ExecutionState | undefined;
  let seen = 0;
  let started = false;
  let ended = false;

  return {
    orderId,
    outcomes,
    get execution() {
      return execution;
    },
    async poll() {
      const happenings: Happening[] = [];
      execution = await reader.execution(orderId);
      if (execution === undefined) return happenings;
      // Read after DescribeExecution, so an execution seen ended has (nearly) all its history; the next poll takes the rest.
      const events = await reader.history(orderId);
      for (const event of events.slice(seen)) {
        if (event.type === 'ExecutionStarted' && !started) {
          started = true;
          happenings.push({ at: event.timestamp ?? new Date(), text: `${label}: journey started (execution ${orderId})` });
        }
        const outcome = stepOutcomeOf(event);
        if (outcome !== undefined) {
          // The step ends a moment after it sent or skipped; the record has the moment itself.
          outcome.at = (await recordedTimeOf(outcome, orderId, reader)) ?? outcome.at;
          outcomes.push(outcome);
          happenings.push({ at: outcome.at, text: `${label}: ${describeOutcome(outcome, dayOf)}` });
        }
        if (event.type === 'TaskFailed') {
          const details = event.taskFailedEventDetails;
          happenings.push({ at: event.timestamp ?? new Date(), text: `${label}: a step failed with ${details?.error ?? 'an error'} (retried or caught, as the definition says)` });
        }
      }
      seen = events.length;
      if (!ended && execution.status !== 'RUNNING') {
        ended = true;
        const why = execution.error === undefined ? '' : ` by ${execution.error}${execution.cause === undefined ? '' : ` ("${execution.cause}")`}`;
        happenings.push({ at: execution.stopDate ?? new Date(), text: `${label}: execution ${execution.status}${why}` });
      }
      return happenings;
    },
  };
}

async function recordedTimeOf(outcome: StepOutcome, orderId: string, reader: StackReader): Promise<Date | undefined> {
  if (outcome.reminder !== undefined) return new Date(outcome.reminder.sentAt);
  if (outcome.state !== 'SendMessage' || !isMilestoneId(outcome.milestone)) return undefined;
  const record = await reader.messageRecord(orderId, outcome.milestone);
  if (record?.status === 'sent' && outcome.status === 'sent') return new Date(record.sentAt);
  if (record?.status === 'skipped' && outcome.status === 'skipped') return new Date(record.skippedAt);
  return undefined;
}

function stepOutcomeOf(event: HistoryEvent): StepOutcome | undefined {
  if (event.type !== 'TaskStateExited') return undefined;
  const name = event.stateExitedEventDetails?.name;
  if (name !== 'SendMessage' && name !== 'FollowUp') return undefined;
  const output = JSON.parse(event.stateExitedEventDetails?.output ?? 'null') as { milestone?: string; outcome?: Record<string, unknown> } | null;
  const outcome = output?.outcome;
  if (outcome === undefined || typeof outcome.status !== 'string') return undefined;
  const text = (key: string) => (typeof outcome[key] === 'string' ? { [key]: outcome[key] as string } : {});
  const reminder = outcome.reminder as { sentAt?: unknown } | undefined;
  return {
    state: name,
    milestone: output?.milestone ?? '?',
    at: event.timestamp ?? new Date(),
    status: outcome.status,
    ...text('reason'),
    ...text('detail'),
    ...text('template'),
    ...text('variant'),
    ...text('wamid'),
    ...text('retryAt'),
    ...text('result'),
    ...(typeof reminder?.sentAt === 'string' ? { reminder: { sentAt: reminder.sentAt } } : {}),
  };
}

function describeOutcome(outcome: StepOutcome, dayOf: (at: Date) => string): string {
  const until = (iso: string | undefined) => (iso === undefined ? '' : ` until ${dayOf(new Date(iso))}`);
  const { milestone } = outcome;
  if (outcome.state === 'SendMessage') {
    switch (outcome.status) {
      case 'sent':
        return `${milestone} sent: ${outcome.template} (variant ${outcome.variant})`;
      case 'skipped':
        return `${milestone} skipped, reason ${outcome.reason}${outcome.detail === undefined ? '' : ` (${outcome.detail})`}`;
      case 'deferred':
        return `${milestone} deferred by ${outcome.reason}${until(outcome.retryAt)}`;
      default:
        return `${milestone} ${outcome.status}${outcome.reason === undefined ? '' : `: ${outcome.reason}`}`;
    }
  }
  if (outcome.status === 'followed-up') return `${milestone} follow-up: ${outcome.result}${outcome.detail === undefined ? '' : ` (${outcome.detail})`}`;
  if (outcome.status === 'deferred') return `${milestone} follow-up: resend deferred by ${outcome.reason}${until(outcome.retryAt)}`;
  if (outcome.reminder !== undefined) return `${milestone} follow-up: no answer yet, reminder sent`;
  return `${milestone} follow-up: ${outcome.status}`;
}
