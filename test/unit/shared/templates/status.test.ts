import { describe, expect, it } from 'vitest';
import { availabilityOf, changeVersion, type TemplateStanding } from '#shared/templates/status';

const standing = (template: string, status?: string, quality?: { value: string; at: string }, reason?: string): TemplateStanding => ({
  template,
  language: 'es',
  ...(status === undefined ? {} : { status: { value: status, at: '2026-03-05T10:00:00.000Z', ...(reason === undefined ? {} : { reason }) } }),
  ...(quality === undefined ? {} : { quality }),
});

describe('availabilityOf: what the send step makes of Meta’s statuses and ratings', () => {
  it('sends APPROVED and REINSTATED templates, and templates Meta never reported on; nothing else', () => {
    const statuses = ['APPROVED', 'REINSTATED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED', 'FLAGGED', 'IN_APPEAL', 'LIMIT_EXCEEDED', 'LOCKED', 'ARCHIVED', 'DELETED', 'PENDING_DELETION', 'SOMETHING_NEW'];
    const { unavailable } = availabilityOf(statuses.map((s) => standing(`t_${s}`, s)));
    expect([...unavailable.keys()]).toEqual(statuses.slice(2).map((s) => `t_${s}`));
    expect(availabilityOf([standing('never_reported')]).unavailable.size).toBe(0);
  });

  it('says why, with Meta’s reason unless it is NONE', () => {
    const { unavailable } = availabilityOf([standing('a', 'REJECTED', undefined, 'INCORRECT_CATEGORY'), standing('b', 'PAUSED', undefined, 'NONE')]);
    expect(unavailable.get('a')).toBe('a REJECTED at Meta since 2026-03-05T10:00:00.000Z (INCORRECT_CATEGORY)');
    expect(unavailable.get('b')).toBe('b PAUSED at Meta since 2026-03-05T10:00:00.000Z');
  });

  it('rates low a RED template only since its latest approval; YELLOW is not avoided', () => {
    const { lowQuality } = availabilityOf([
      standing('red_now', 'APPROVED', { value: 'RED', at: '2026-03-06T00:00:00.000Z' }),
      standing('red_before_reapproval', 'APPROVED', { value: 'RED', at: '2026-03-01T00:00:00.000Z' }),
      standing('red_no_status', undefined, { value: 'RED', at: '2026-03-01T00:00:00.000Z' }),
      standing('yellow', 'APPROVED', { value: 'YELLOW', at: '2026-03-06T00:00:00.000Z' }),
    ]);
    expect([...lowQuality]).toEqual(['red_now', 'red_no_status']);
  });
});

describe('changeVersion: the order the record keeps changes in', () => {
  const at = (seconds: number) => new Date(Date.UTC(2026, 2, 5, 10, 0, seconds)).toISOString();
  const status = (value: string, s: number) => ({ kind: 'status', template: 't', language: 'es', value, at: at(s) }) as const;
  const quality = (value: string, s: number) => ({ kind: 'quality', template: 't', language: 'es', value, at: at(s) }) as const;

  it('orders by Meta’s second, then puts the less usable state last within a second', () => {
    expect(changeVersion(status('APPROVED', 2))).toBeGreaterThan(changeVersion(status('PAUSED', 1)));
    expect(changeVersion(status('PAUSED', 1))).toBeGreaterThan(changeVersion(status('APPROVED', 1)));
    expect(changeVersion(status('REJECTED', 1))).toBe(changeVersion(status('PAUSED', 1)));
    expect(changeVersion(quality('RED', 1))).toBeGreaterThan(changeVersion(quality('YELLOW', 1)));
    expect(changeVersion(quality('YELLOW', 1))).toBeGreaterThan(changeVersion(quality('GREEN', 1)));
    expect(changeVersion(quality('GREEN', 2))).toBeGreaterThan(changeVersion(quality('RED', 1)));
  });
});
