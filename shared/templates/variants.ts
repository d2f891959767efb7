import { customerKey, pickWeighted, stableFraction, type CustomerRef } from '../journey/assignment';
import type { MilestoneId } from '../journey/milestones';
import { TEMPLATES, templatesForMilestone, type TemplateDefinition } from './catalogue';

/** What is true of the catalogue at send time. */
export interface CatalogueState {
  /** Names of templates Meta will not send now (pending, rejected, paused, disabled). */
  readonly unavailable: ReadonlySet<string>;
  /**
   * Weight per variant of this milestone, over the catalogue's (the journey config's
   * `milestones[].variants`); a variant left out keeps its catalogue weight, 0 turns it off.
   */
  readonly weights?: Readonly<Record<string, number>>;
  /** @default TEMPLATES */
  readonly catalogue?: readonly TemplateDefinition[];
}

export type TemplateChoice =
  | {
      status: 'chosen';
      template: TemplateDefinition;
      /** The variant sent, under which KPIs count. */
      variant: string;
      /** Set when the customer's own variant was unavailable and `variant` stood in for it. */
      assignedVariant?: string;
    }
  | { status: 'skipped'; reason: string };

/**
 * The template a customer gets for a milestone. The variant is assigned by a stable hash of
 * the customer, weighted by the variants' weights, so a customer sees the same variant on
 * every order and every retry. If that variant's template cannot be sent, another variant
 * that can (weighted the same way, same hash) stands in; if none can, the send is skipped
 * with the reason. Variants with weight 0 are never sent.
 */
export function chooseTemplate(milestone: MilestoneId, customer: CustomerRef, state: CatalogueState): TemplateChoice {
  const variants = templatesForMilestone(milestone, state.catalogue ?? TEMPLATES).map((template) => ({
    template,
    weight: state.weights?.[template.variant] ?? template.weight,
  }));
  const fraction = stableFraction(`variant:${milestone}`, customerKey(customer));
  const assigned = pickWeighted(variants, fraction);
  if (assigned === undefined) return { status: 'skipped', reason: `no variant of ${milestone} has a positive weight` };
  if (!state.unavailable.has(assigned.template.name)) return { status: 'chosen', template: assigned.template, variant: assigned.template.variant };

  const standIn = pickWeighted(
    variants.filter((v) => !state.unavailable.has(v.template.name)),
    fraction,
  );
  if (standIn === undefined) {
    const names = variants.filter((v) => v.weight > 0).map((v) => v.template.name);
    return { status: 'skipped', reason: `no template of ${milestone} can be sent now: ${names.join(', ')} unavailable at Meta` };
  }
  return { status: 'chosen', template: standIn.template, variant: standIn.template.variant, assignedVariant: assigned.template.variant };
}
