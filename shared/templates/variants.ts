import { customerKey, pickWeighted, stableFraction, type CustomerRef } from '../journey/assignment';
import type { MilestoneId } from '../journey/milestones';
import { promoterTemplateFor, TEMPLATES, templatesForMilestone, type TemplateDefinition } from './catalogue';
import { LOW_TEMPLATE_QUALITY } from './status';

/** What is true of the catalogue at send time. */
export interface CatalogueState {
  /** Templates Meta will not send now (pending, rejected, paused, disabled), with why (./status.ts). */
  readonly unavailable: ReadonlyMap<string, string>;
  /** Templates Meta rates low (RED): sent only when no other variant can stand in (./status.ts). */
  readonly lowQuality?: ReadonlySet<string>;
  /**
   * Weight per variant of this milestone, over the catalogue's (the journey config's
   * `milestones[].variants`); a variant left out keeps its catalogue weight, 0 turns it off.
   */
  readonly weights?: Readonly<Record<string, number>>;
  /** This journey's NPS answer was 9–10: the milestone's promoter message, if it has one, goes instead of the variants. */
  readonly promoter?: boolean;
  /** @default TEMPLATES */
  readonly catalogue?: readonly TemplateDefinition[];
}

export type TemplateChoice =
  | {
      status: 'chosen';
      template: TemplateDefinition;
      /** The variant sent, under which KPIs count. */
      variant: string;
      /** Set when the customer's own variant could not be sent and `variant` stood in for it. */
      assignedVariant?: string;
      /** Why the assigned variant was not sent (set with `assignedVariant`). */
      standInReason?: string;
    }
  | { status: 'skipped'; reason: string };

/**
 * The template a customer gets for a milestone. The variant is assigned by a stable hash of
 * the customer, weighted by the variants' weights, so a customer sees the same variant on
 * every order and every retry. If that variant's template cannot be sent, or is rated low
 * while another can be sent at a better rating, another variant (weighted the same way, same
 * hash) stands in; a low-rated one is still sent when nothing better is left. If nothing can
 * be sent, the send is skipped with the reasons. Variants with weight 0 are never sent.
 * A promoter gets the milestone's promoter message instead, while Meta sends it.
 */
export function chooseTemplate(milestone: MilestoneId, customer: CustomerRef, state: CatalogueState): TemplateChoice {
  const forPromoters = state.promoter === true ? promoterTemplateFor(milestone, state.catalogue ?? TEMPLATES) : undefined;
  if (forPromoters !== undefined) {
    // No other promoter message can stand in, so a low rating does not stop it; unavailable, the variants do.
    const why = state.unavailable.get(forPromoters.name);
    if (why === undefined) return { status: 'chosen', template: forPromoters, variant: forPromoters.variant };
    const instead = chooseTemplate(milestone, customer, { ...state, promoter: false });
    return instead.status === 'chosen' ? { ...instead, assignedVariant: forPromoters.variant, standInReason: why } : instead;
  }
  const variants = templatesForMilestone(milestone, state.catalogue ?? TEMPLATES)
    .map((template) => ({ template, weight: state.weights?.[template.variant] ?? template.weight }))
    .filter((v) => v.weight > 0);
  const fraction = stableFraction(`variant:${milestone}`, customerKey(customer));
  const assigned = pickWeighted(variants, fraction);
  if (assigned === undefined) return { status: 'skipped', reason: `no variant of ${milestone} has a positive weight` };

  const sendable = (v: (typeof variants)[number]) => !state.unavailable.has(v.template.name);
  const rated = (v: (typeof variants)[number]) => sendable(v) && !(state.lowQuality?.has(v.template.name) ?? false);
  if (rated(assigned)) return { status: 'chosen', template: assigned.template, variant: assigned.template.variant };

  const standIn = pickWeighted(variants.filter(rated), fraction) ?? (sendable(assigned) ? assigned : pickWeighted(variants.filter(sendable), fraction));
  if (standIn === undefined) {
    const reasons = variants.map((v) => state.unavailable.get(v.template.name) ?? `${v.template.name} unavailable at Meta`);
    return { status: 'skipped', reason: `no template of ${milestone} can be sent now: ${reasons.join('; ')}` };
  }
  if (standIn === assigned) return { status: 'chosen', template: assigned.template, variant: assigned.template.variant };
  const standInReason = state.unavailable.get(assigned.template.name) ?? `${assigned.template.name} rated ${LOW_TEMPLATE_QUALITY} by Meta`;
  return { status: 'chosen', template: standIn.template, variant: standIn.template.variant, assignedVariant: assigned.template.variant, standInReason };
}
