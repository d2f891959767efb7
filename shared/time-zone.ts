/** True for names the runtime knows as IANA time zones ("America/Argentina/Buenos_Aires", "UTC"). */
export function isIanaTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
