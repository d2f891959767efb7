import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One logger per function, JSON to stdout (CloudWatch in AWS, the terminal locally). Every
 * value and key of every line goes through `redactPhones` on its way out, so a phone number
 * cannot reach the logs in clear whoever logs what: an event, an error message, a body.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName, jsonReplacerFn: redactingReplacer });
}

/** A phone number as it may appear in logs: country code and last two digits only. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return `+${digits.slice(0, 2)}${'*'.repeat(digits.length - 4)}${digits.slice(-2)}`;
}

/**
 * Anything phone-like: E.164 (`+` and 8–15 digits) or a bare run of 8–15 digits (Meta's
 * `wa_id`), standing alone (not inside a longer number, a word, a decimal or a dashed id).
 * Over-masks some ids and epoch times; a log line is worth less than a customer's number.
 */
const PHONE_LIKE = /(?<![\w.+-])\+?\d{8,15}(?![\w.-])/g;
const PHONE_LIKE_NUMBER = /^\d{8,15}$/;

/** `text` with every phone-like run masked by `maskPhone`. */
export function redactPhones(text: string): string {
  return text.replace(PHONE_LIKE, maskPhone);
}

/** JSON.stringify replacer for log lines: strings, numbers and object keys, at any depth. */
export function redactingReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return redactPhones(value);
  if (typeof value === 'number' && Number.isInteger(value) && PHONE_LIKE_NUMBER.test(String(Math.abs(value)))) return maskPhone(String(value));
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Error)) {
    const entries = Object.entries(value);
    if (entries.some(([key]) => redactPhones(key) !== key)) return Object.fromEntries(entries.map(([key, v]) => [redactPhones(key), v]));
  }
  return value;
}
