import { describe, expect, it } from 'vitest';
import { answerTo, seededRandom } from '../../../local/customers/behaviour';
import { DEFAULT_CUSTOMER_RATES, resolveCustomerRates } from '../../../local/customers/rates';
import { createSimulatedCustomers, isScriptedPhone, SCRIPTED_PHONE_PREFIX, tallyAnswers } from '../../../local/customers';
import type { RecordedSend } from '../../../local/meta-simulator';

const templateSend = (waId: string, name: string, wamid = `wamid.${waId}.${name}`) =>
  ({ wamid, waId, request: { type: 'template', template: { name } } }) as unknown as RecordedSend;

describe('simulated customers', () => {
  it('answer at the configured rates (10,000 draws per milestone, within 3 standard errors)', () => {
    const rates = DEFAULT_CUSTOMER_RATES;
    const kinds = (milestone: 'day7' | 'day30' | 'day60') => {
      const counts: Record<string, number> = {};
      for (let i = 0; i < 10_000; i += 1) {
        const kind = answerTo(milestone, rates, seededRandom('rates', `${milestone}:${i}`)).kind;
        counts[kind] = (counts[kind] ?? 0) + 1;
      }
      return counts;
    };
    const near = (count: number | undefined, share: number) => {
      const sd = Math.sqrt(10_000 * share * (1 - share));
      expect(Math.abs((count ?? 0) - 10_000 * share)).toBeLessThanOrEqual(3 * sd + 1);
    };
    const reachable = 1 - rates.undeliverable;
    const day7 = kinds('day7');
    near(day7.undeliverable, rates.undeliverable);
    near(day7['opt-out'], reachable * rates.optOut);
    near(day7.chat, reachable * rates.day7.chat);
    near(day7.booking, reachable * rates.day7.booking);
    near(day7['free-text'], reachable * rates.day7.freeText);
    const day30 = kinds('day30');
    near(day30.score, reachable * rates.day30.score);
    near(day30.callback, reachable * rates.day30.callback);
    near(kinds('day60').yes, reachable * rates.day60.yes);
  });

  it('answer the same message the same way for the same seed, whatever the order, and differently for another seed', () => {
    const sends = Array.from({ length: 200 }, (_, i) => templateSend(`54911600${String(i).padStart(5, '0')}`, 'posventa_day30_nps'));
    const run = (seed: string, order: readonly RecordedSend[]) => {
      const customers = createSimulatedCustomers({ seed, rates: { day30: { score: 0.5 } } });
      for (const send of order) customers.fateOf(send);
      return new Map(customers.answers.map((a) => [a.wamid, a.answer]));
    };
    const first = run('s1', sends);
    expect(run('s1', [...sends].reverse())).toEqual(first);
    expect(run('s2', sends)).not.toEqual(first);
  });

  it('turn their answers into replies with delays in range, and ignore free text and unknown templates', () => {
    const customers = createSimulatedCustomers({ seed: 'x', rates: { undeliverable: 0, optOut: 0, day60: { yes: 1 }, replyDelayMinutes: { min: 10, max: 20 } } });
    const fate = customers.fateOf(templateSend('5491160000001', 'posventa_day60_offer'));
    expect(fate.reply?.text).toBe('SÍ');
    expect(fate.reply!.afterReadSeconds).toBeGreaterThanOrEqual(600);
    expect(fate.reply!.afterReadSeconds).toBeLessThanOrEqual(1200);
    expect(customers.fateOf({ ...templateSend('5491160000001', 'x'), request: { type: 'text', text: { body: 'Listo' } } } as unknown as RecordedSend)).toEqual({});
    expect(customers.fateOf(templateSend('5491160000001', 'some_other_template'))).toEqual({});
    expect(tallyAnswers(customers.answers).day60).toMatchObject({ messages: 1, yes: 1 });
  });

  it('leave the scripted phone range alone: delivered, never answered, not tallied', () => {
    const customers = createSimulatedCustomers({ seed: 'x', rates: { undeliverable: 0.3, optOut: 0.3, day7: { chat: 0.3 } } });
    const scripted = `${SCRIPTED_PHONE_PREFIX}0001`.slice(1);
    expect(isScriptedPhone(scripted)).toBe(true);
    expect(isScriptedPhone(`+${scripted}`)).toBe(true);
    expect(isScriptedPhone('5491160000001')).toBe(false);
    for (const name of ['posventa_day7_adoption', 'posventa_day30_nps', 'posventa_day60_offer']) expect(customers.fateOf(templateSend(scripted, name))).toEqual({});
    expect(customers.answers).toEqual([]);
    // Everyone else still answers at these rates.
    const others = Array.from({ length: 20 }, (_, i) => customers.fateOf(templateSend(`54911600000${String(i).padStart(2, '0')}`, 'posventa_day7_adoption')));
    expect(others.some((fate) => fate.reply !== undefined || fate.failure !== undefined)).toBe(true);
  });

  it('refuse rates that cannot be, naming them', () => {
    expect(() => resolveCustomerRates({ optOut: 1.5 })).toThrow(/optOut/);
    expect(() => resolveCustomerRates({ day7: { chat: 0.6, booking: 0.5 } })).toThrow(/day7/);
    expect(() => resolveCustomerRates({ day30: { scores: [1, 2] } })).toThrow(/day30.scores: needs 11 weights/);
    expect(() => resolveCustomerRates({ day8: {} })).toThrow(/day8|Unrecognized/);
    expect(resolveCustomerRates({ day60: { yes: 0.2 } }).day60.yes).toBe(0.2);
  });
});
