/**
 * How a send failure is handled, by Meta's error code (../shared/reference/, §6).
 * Codes not listed are treated as permanent: retrying an unknown error risks spamming.
 */
export type SendErrorHandling = 'retry' | 'permanent';

const RETRYABLE_CODES = new Set([
  1, 2, // service temporarily unavailable
  4, 80007, // app / WABA rate limits
  130429, // throughput limit
  131000, 131016, // something went wrong / service overloaded
  131056, // pair rate limit
]);

export function handlingOfMetaError(code: number | undefined, httpStatus: number): SendErrorHandling {
  if (code !== undefined && RETRYABLE_CODES.has(code)) return 'retry';
  if (code === undefined && (httpStatus === 429 || httpStatus >= 500)) return 'retry';
  return 'permanent';
}
