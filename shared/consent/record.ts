import type { Clock } from '../clock';
import type { ConsentChange } from './changes';
import { changedScopes, evidenceOf, foldConsent, type ConsentEvidence, type ConsentState } from './ledger';
import type { ConsentScope } from './scopes';

export type CommitResult = 'committed' | 'duplicate' | 'conflict';

/** What the ledger needs from storage; DynamoDB in AWS and locally (shared/aws/consent-store.ts). */
export interface ConsentStore {
  /** The current state, read strongly consistent (senders rely on it); `undefined` for an unknown contact. */
  readState(phone: string): Promise<ConsentState | undefined>;
  /** Every piece of evidence of a contact, oldest first, read strongly consistent. */
  listEvidence(phone: string): Promise<ConsentEvidence[]>;
  /**
   * Writes the new state and the new evidence together, or neither: `conflict` when the state
   * is no longer at `expectedVersion` (0 = no state yet), `duplicate` when the evidence exists.
   */
  commit(write: { state: ConsentState; evidence: ConsentEvidence; expectedVersion: number }): Promise<CommitResult>;
}

export type RecordOutcome =
  | {
      recorded: true;
      evidence: ConsentEvidence;
      previous: ConsentState | undefined;
      state: ConsentState;
      /** Scopes whose status this change moved (empty when, e.g., an opt-out repeats or a purchase opt-in is overruled). */
      changedScopes: ConsentScope[];
    }
  | { recorded: false; reason: 'duplicate'; state: ConsentState | undefined };

export interface RecordDeps {
  store: ConsentStore;
  clock: Clock;
  /** Waits between attempts after a conflict; a short jittered pause by default. */
  pause?: (attempt: number) => Promise<void>;
}

const MAX_ATTEMPTS = 10;
const defaultPause = (attempt: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));

/**
 * Records one consent fact: the evidence and the state it leads to, atomically. The state is
 * recomputed from all of the contact's evidence (ledger.ts, `foldConsent`), and the write is
 * conditional on the version read, so concurrent changes serialize: the loser re-reads and
 * folds again, and the final state is the fold of every fact in time order. The same fact
 * twice (same evidence id) is recorded once.
 */
export async function recordConsentChange(change: ConsentChange, deps: RecordDeps): Promise<RecordOutcome> {
  const pause = deps.pause ?? defaultPause;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    // State first, then evidence: anything committed after this read bumps the version and fails our commit.
    const previous = await deps.store.readState(change.contact.phone);
    const history = await deps.store.listEvidence(change.contact.phone);
    if (history.some((item) => item.evidenceId === change.evidenceId)) return { recorded: false, reason: 'duplicate', state: previous };

    const recordedAt = deps.clock.now().toISOString();
    const evidence = evidenceOf(change, recordedAt);
    const scopes = foldConsent([...history, evidence]);
    const bsuid = change.contact.bsuid ?? previous?.bsuid;
    const state: ConsentState = {
      phone: change.contact.phone,
      ...(bsuid === undefined ? {} : { bsuid }),
      scopes,
      version: (previous?.version ?? 0) + 1,
      updatedAt: recordedAt,
    };

    const result = await deps.store.commit({ state, evidence, expectedVersion: previous?.version ?? 0 });
    if (result === 'committed') return { recorded: true, evidence, previous, state, changedScopes: changedScopes(previous?.scopes, scopes) };
    if (result === 'duplicate') return { recorded: false, reason: 'duplicate', state: await deps.store.readState(change.contact.phone) };
    await pause(attempt);
  }
  throw new Error(`consent of a contact changed concurrently ${MAX_ATTEMPTS} times in a row; giving up on ${change.evidenceId} so the caller retries`);
}
