import { Logger } from '@aws-lambda-powertools/logger';

/** One logger per function, JSON to stdout (CloudWatch in AWS, the terminal locally). */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

/** A phone number as it may appear in logs: country code and last two digits only. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return `+${digits.slice(0, 2)}${'*'.repeat(digits.length - 4)}${digits.slice(-2)}`;
}
