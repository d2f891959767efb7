import { describe, expect, it } from 'vitest';
import { DEFAULT_JOURNEY_CONFIG } from '#shared/journey/config';
import type { TakenMessage } from '#shared/journey/message-facts';
import { decideReconciliation, MAX_UNCONFIRMED_RESENDS, unconfirmedCheckAt } from '#shared/journey/reconcile-plan';
import { sendRulesFor } from '#shared/journey/send-window';

const settings = DEFAULT_JOURNEY_CONFIG.followUps;
const rules = sendRulesFor({ timezone: 'America/Argentina/Buenos_Aires', phone: '+5491155550001', locale: 'es-AR' }, DEFAULT_JOURNEY_CONFIG);

describe('unconfirmedCheckAt', () => {
  // 2026-03-09 is a Monday; 12:00 UTC is 09:00 in Buenos Aires (UTC−3).
  it('looks 6 h after the unconfirmed send, moved into the send window so a resend may follow at once', () => {
    expect(unconfirmedCheckAt('2026-03-09T12:00:00.000Z', new Date('2026-03-09T12:00:05.000Z'), rules, settings)).toBe('2026-03-09T18:00:00.000Z');
    // Sent at 17:00 local: 6 h later is 23:00, closed; it waits for 09:00 the next day.
    expect(unconfirmedCheckAt('2026-03-09T20:00:00.000Z', new Date('2026-03-09T20:00:05.000Z'), rules, settings)).toBe('2026-03-10T12:00:00.000Z');
  });

  it('looks now when the wait is already over (a step re-run long after a crash), and never when the setting is 0', () => {
    expect(unconfirmedCheckAt('2026-03-01T12:00:00.000Z', new Date('2026-03-09T15:00:00.000Z'), rules, settings)).toBe('2026-03-09T15:00:00.000Z');
    expect(unconfirmedCheckAt('2026-03-09T12:00:00.000Z', new Date('2026-03-09T12:00:05.000Z'), rules, { ...settings, unconfirmedCheckHours: 0 })).toBeUndefined();
  });
});

describe('decideReconciliation', () => {
  const claim = { milestone: 'day30' as const, template: 'posventa_day30_nps', claimedAt: '2026-03-09T12:00:00.250Z' };
  const taken = (wamid: string, at: string, over: Partial<TakenMessage> = {}): TakenMessage => ({ orderId: 'O-1', milestone: 'day30', template: 'posventa_day30_nps', variant: 'A', wamid, at, ...over });

  it('finds the message taken when Meta reported any status of it since the claim (whole seconds, Meta’s clock), the earliest first', () => {
    const statuses = [taken('wamid.read', '2026-03-09T12:03:00.000Z'), taken('wamid.sent', '2026-03-09T12:00:00.000Z')];
    expect(decideReconciliation(claim, statuses, 0)).toEqual({ kind: 'taken', wamid: 'wamid.sent', at: '2026-03-09T12:00:00.000Z' });
    // Meta's clock a minute behind ours still counts.
    expect(decideReconciliation(claim, [taken('wamid.early', '2026-03-09T11:59:00.000Z')], 0)).toMatchObject({ kind: 'taken', wamid: 'wamid.early' });
  });

  it('does not take another milestone, the survey’s reminder, or an earlier attempt of the same message (a 131049 resend a day later) for it', () => {
    const others = [
      taken('wamid.day7', '2026-03-09T12:00:01.000Z', { milestone: 'day7', template: 'posventa_day7_adoption' }),
      taken('wamid.reminder', '2026-03-09T12:00:01.000Z', { template: 'posventa_day30_nps_reminder' }),
      taken('wamid.yesterday', '2026-03-08T12:00:00.000Z'),
    ];
    expect(decideReconciliation(claim, others, 0)).toEqual({ kind: 'resend' });
  });

  it('resends while no status came, at most MAX_UNCONFIRMED_RESENDS times, then gives up', () => {
    expect(MAX_UNCONFIRMED_RESENDS).toBe(2);
    expect(decideReconciliation(claim, [], 0)).toEqual({ kind: 'resend' });
    expect(decideReconciliation(claim, [], 1)).toEqual({ kind: 'resend' });
    expect(decideReconciliation(claim, [], 2)).toEqual({ kind: 'give-up' });
    // A status still wins once the resends are used up: the record is set right.
    expect(decideReconciliation(claim, [taken('wamid.late', '2026-03-09T12:00:00.000Z')], 2)).toMatchObject({ kind: 'taken' });
  });
});
