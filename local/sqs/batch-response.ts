/**
 * What Lambda makes of a function's answer to an SQS batch ("Handling errors for an SQS
 * event source": partial batch responses). Without ReportBatchItemFailures any return is
 * success; with it, an empty or missing `batchItemFailures` is success, listed ids are
 * retried, and a malformed answer fails the whole batch.
 */
export type BatchOutcome =
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'partial'; readonly failedMessageIds: ReadonlySet<string> }
  | { readonly kind: 'failed'; readonly reason: string };

export function interpretBatchResponse(
  response: unknown,
  messageIds: readonly string[],
  reportBatchItemFailures: boolean,
): BatchOutcome {
  if (!reportBatchItemFailures || response === undefined || response === null) return { kind: 'succeeded' };
  if (typeof response !== 'object' || Array.isArray(response)) {
    return { kind: 'failed', reason: `the function returned ${JSON.stringify(response)}, not a batch response` };
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'succeeded' };
  if (!Array.isArray(failures)) return { kind: 'failed', reason: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'succeeded' };

  const inBatch = new Set(messageIds);
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '') return { kind: 'failed', reason: 'a batchItemFailures entry has no itemIdentifier' };
    if (!inBatch.has(id)) return { kind: 'failed', reason: `itemIdentifier ${id} is not a message of this batch` };
    failed.add(id);
  }
  return { kind: 'partial', failedMessageIds: failed };
}
