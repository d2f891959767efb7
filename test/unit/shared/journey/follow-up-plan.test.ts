import { describe, expect, it } from 'vitest';
import { DEFAULT_JOURNEY_CONFIG } from '#shared/journey/config';
import { decideFollowUp, firstFollowUpAt, noAnswerAt } from '#shared/journey/follow-up-plan';
import { sendRulesFor } from '#shared/journey/send-window';

const settings = DEFAULT_JOURNEY_CONFIG.followUps;
const OFF = { day7NoReplyHours: 0, npsReminderHours: 0, npsNoAnswerHours: 0, marketingStatusCheckHours: 0, unconfirmedCheckHours: 0 };
const rules = sendRulesFor({ timezone: 'America/Argentina/Buenos_Aires', phone: '+5491155550001', locale: 'es-AR' }, DEFAULT_JOURNEY_CONFIG);

describe('firstFollowUpAt', () => {
  // 2026-03-09 is a Monday; 12:00 UTC is 09:00 in Buenos Aires (UTC−3).
  const sentAt = '2026-03-09T12:00:00.000Z';

  it('looks at the NPS survey 48 h later, moved into the send window (a reminder may follow)', () => {
    expect(firstFollowUpAt({ milestone: 'day30', category: 'utility', sentAt }, rules, settings)).toBe('2026-03-11T12:00:00.000Z');
    // Sent at 19:30 local: 48 h later is 19:30, still open; at 21:00 it would wait for 09:00 next day.
    expect(firstFollowUpAt({ milestone: 'day30', category: 'utility', sentAt: '2026-03-09T22:30:00.000Z' }, rules, settings)).toBe('2026-03-11T22:30:00.000Z');
    expect(firstFollowUpAt({ milestone: 'day30', category: 'utility', sentAt: '2026-03-10T00:00:00.000Z' }, rules, settings)).toBe('2026-03-12T12:00:00.000Z');
  });

  it('looks at the day-7 message 72 h later and a marketing message 24 h later, whatever the hour (nothing is sent then)', () => {
    expect(firstFollowUpAt({ milestone: 'day7', category: 'utility', sentAt: '2026-03-10T00:00:00.000Z' }, rules, settings)).toBe('2026-03-13T00:00:00.000Z');
    expect(firstFollowUpAt({ milestone: 'day60', category: 'marketing', sentAt }, rules, settings)).toBe('2026-03-10T12:00:00.000Z');
  });

  it('follows nothing up when the setting is 0', () => {
    for (const [milestone, category] of [['day7', 'utility'], ['day30', 'utility'], ['day60', 'marketing']] as const) {
      expect(firstFollowUpAt({ milestone, category, sentAt }, rules, OFF)).toBeUndefined();
    }
  });

  it('records "no answer" 48 h after the reminder, or never when that is off', () => {
    expect(noAnswerAt(sentAt, settings)).toBe('2026-03-11T12:00:00.000Z');
    expect(noAnswerAt(sentAt, OFF)).toBeUndefined();
  });
});

describe('decideFollowUp', () => {
  const at = '2026-03-09T12:00:05.000Z';
  const base = { facts: {}, reminded: false };

  it('does nothing more after a reply, to the message or to its reminder', () => {
    for (const milestone of ['day7', 'day30', 'day60'] as const) {
      expect(decideFollowUp({ ...base, milestone, category: milestone === 'day60' ? 'marketing' : 'utility', facts: { repliedAt: at } })).toEqual({ kind: 'nothing', result: 'replied' });
    }
    expect(decideFollowUp({ milestone: 'day30', category: 'utility', facts: {}, reminderFacts: { repliedAt: at }, reminded: true })).toEqual({ kind: 'nothing', result: 'replied' });
  });

  it('reminds an unanswered survey once, then records no answer', () => {
    expect(decideFollowUp({ ...base, milestone: 'day30', category: 'utility' })).toEqual({ kind: 'remind' });
    expect(decideFollowUp({ ...base, milestone: 'day30', category: 'utility', reminderFacts: {}, reminded: true })).toEqual({ kind: 'no-answer' });
  });

  it('asks for a fallback for a day-7 message without a reply; nothing for a marketing message that did not fail', () => {
    expect(decideFollowUp({ ...base, milestone: 'day7', category: 'utility' })).toEqual({ kind: 'no-reply-fallback' });
    expect(decideFollowUp({ ...base, milestone: 'day60', category: 'marketing' })).toEqual({ kind: 'nothing', result: 'no-failure' });
  });

  it('resends a marketing message Meta failed with 131049; any other message with 131049 failed for good', () => {
    expect(decideFollowUp({ ...base, milestone: 'day60', category: 'marketing', facts: { failure: { code: 131049, at } } })).toEqual({ kind: 'resend', failedAt: at });
    expect(decideFollowUp({ ...base, milestone: 'day7', category: 'utility', facts: { failure: { code: 131049, at } } })).toEqual({ kind: 'failed', code: 131049, failedAt: at, marketingOptOut: false });
  });

  it('takes 131050 as a marketing opt-out, other codes (and none) as failures for a fallback, 130472 as no failure of ours', () => {
    expect(decideFollowUp({ ...base, milestone: 'day60', category: 'marketing', facts: { failure: { code: 131050, at } } })).toEqual({ kind: 'failed', code: 131050, failedAt: at, marketingOptOut: true });
    expect(decideFollowUp({ ...base, milestone: 'day30', category: 'utility', facts: { failure: { code: 131026, at } } })).toEqual({ kind: 'failed', code: 131026, failedAt: at, marketingOptOut: false });
    expect(decideFollowUp({ ...base, milestone: 'day7', category: 'utility', facts: { failure: { at } } })).toEqual({ kind: 'failed', failedAt: at, marketingOptOut: false });
    expect(decideFollowUp({ ...base, milestone: 'day60', category: 'marketing', facts: { failure: { code: 130472, at } } })).toEqual({ kind: 'nothing', result: 'meta-experiment' });
  });
});
