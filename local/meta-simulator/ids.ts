import { randomBytes } from 'node:crypto';

/**
 * Meta's message ids are opaque base64 after `wamid.` (and may hold `+`, `/`, `=`); random
 * bytes keep ours unique across restarts of the local stack, and the alphabet keeps
 * consumers honest about treating them as opaque strings.
 */
export function newWamid(): string {
  return `wamid.${randomBytes(24).toString('base64')}`;
}

/** Graph API errors carry a trace id Meta support asks for; ours only has to look the part. */
export function newFbtraceId(): string {
  return randomBytes(9).toString('base64url');
}

/** Conversation ids (Graph API v23.0 and older) are 32 hex characters. */
export function newConversationId(): string {
  return randomBytes(16).toString('hex');
}
