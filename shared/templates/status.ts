/**
 * What Meta says of each template, per language (Meta approves, pauses and rates each language
 * of a template on its own), and what the journey makes of it: which templates it must not
 * send now, and which it avoids while another variant can stand in.
 */

/**
 * Statuses under which Meta sends a template. REINSTATED is Meta lifting a pause (132015 is
 * "paused until REINSTATED"): the template is approved again. Everything else (PENDING,
 * REJECTED, PAUSED, DISABLED, FLAGGED, IN_APPEAL, LIMIT_EXCEEDED, LOCKED, ARCHIVED, DELETED,
 * PENDING_DELETION, and values Meta adds later) is not sent: a send would fail with 132xxx.
 */
export const SENDABLE_TEMPLATE_STATUSES: ReadonlySet<string> = new Set(['APPROVED', 'REINSTATED']);

/**
 * The rating at which a template is avoided while another variant of its milestone can stand
 * in. Meta still sends RED templates ("low, at risk") and pauses them itself when pacing
 * confirms the bad signal, so a RED template with no stand-in is still sent: a skipped
 * milestone costs more than a message at risk. YELLOW is only watched (the quality alarm).
 */
export const LOW_TEMPLATE_QUALITY = 'RED';

/** One change Meta reported for a template in one language, from `Template Status Changed` / `Template Quality Changed`. */
export type TemplateChange =
  | { kind: 'status'; template: string; language: string; value: string; at: string; reason?: string }
  | { kind: 'quality'; template: string; language: string; value: string; at: string };

/** The latest status and quality Meta reported for a template in one language, each at Meta's time. */
export interface TemplateStanding {
  template: string;
  language: string;
  status?: { value: string; at: string; reason?: string };
  quality?: { value: string; at: string };
}

/** Where the record is kept (DynamoDB in AWS and locally, shared/aws/template-status-store.ts). */
export interface TemplateStatusStore {
  /**
   * Keeps the change unless a later one of the same kind (status or quality) is already kept, by
   * `changeVersion`; `recorded: false` for an older change or a duplicate.
   */
  record(change: TemplateChange): Promise<{ recorded: boolean }>;
  /** Every template with a recorded status or quality in a language (Meta's code: es, en, pt_BR…). */
  standingsIn(language: string): Promise<TemplateStanding[]>;
}

const QUALITY_CAUTION: Readonly<Record<string, number>> = { GREEN: 0, UNKNOWN: 0, YELLOW: 1, RED: 2 };

/**
 * The order of changes of one kind: Meta's time, then caution. Meta stamps template webhooks
 * with whole seconds (`entry.time`), so two changes in one second (PENDING then APPROVED, or
 * APPROVED then PAUSED) would otherwise be ordered by arrival; within a second the less usable
 * state wins, whichever arrives last. A duplicate has the same version and changes nothing.
 */
export function changeVersion(change: TemplateChange): number {
  const seconds = Math.floor(Date.parse(change.at) / 1000);
  const caution = change.kind === 'status' ? (SENDABLE_TEMPLATE_STATUSES.has(change.value) ? 0 : 1) : (QUALITY_CAUTION[change.value] ?? 1);
  return seconds * 4 + caution;
}

/** What the send step and the reminder need to know of a language's templates. */
export interface TemplateAvailability {
  /** Template name → why Meta will not send it now. */
  readonly unavailable: ReadonlyMap<string, string>;
  /** Templates rated RED since their latest approval: avoided while another variant can stand in. */
  readonly lowQuality: ReadonlySet<string>;
}

export const EVERY_TEMPLATE_AVAILABLE: TemplateAvailability = { unavailable: new Map(), lowQuality: new Set() };

/**
 * A template Meta never reported on is taken as sendable: the record starts with the first
 * webhook after deployment, and a template that is in fact not approved fails its send with
 * 132001, which is recorded and asks for a fallback. A RED rating given before the latest
 * approval is stale (an edited template goes back to review and starts over).
 */
export function availabilityOf(standings: readonly TemplateStanding[]): TemplateAvailability {
  const unavailable = new Map<string, string>();
  const lowQuality = new Set<string>();
  for (const { template, status, quality } of standings) {
    if (status !== undefined && !SENDABLE_TEMPLATE_STATUSES.has(status.value)) {
      const why = status.reason === undefined || status.reason === 'NONE' ? '' : ` (${status.reason})`;
      unavailable.set(template, `${template} ${status.value} at Meta since ${status.at}${why}`);
    }
    if (quality?.value === LOW_TEMPLATE_QUALITY && (status === undefined || quality.at >= status.at)) lowQuality.add(template);
  }
  return { unavailable, lowQuality };
}

export interface AvailabilityCacheOptions {
  /** @default 60 000 */
  maxAgeMs?: number;
  /**
   * Real time, not the journey's clock: the cache bounds how often a container reads DynamoDB
   * and how long a pause takes to reach the sends, both in real seconds. Tests move it.
   */
  nowMs?: () => number;
}

/**
 * The availability of a language's templates, read at most once a minute per language in a
 * container, so a burst of journeys does not read DynamoDB per send. A pause reaches the sends
 * within that minute; a send in it fails with 132015, which is recorded and asks for a fallback.
 * A failed read is not kept.
 */
export function cachedAvailability(store: Pick<TemplateStatusStore, 'standingsIn'>, options: AvailabilityCacheOptions = {}): (language: string) => Promise<TemplateAvailability> {
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const nowMs = options.nowMs ?? Date.now;
  const cache = new Map<string, { readAt: number; availability: Promise<TemplateAvailability> }>();
  return (language) => {
    const cached = cache.get(language);
    if (cached !== undefined && nowMs() - cached.readAt < maxAgeMs) return cached.availability;
    const availability = store.standingsIn(language).then(availabilityOf);
    cache.set(language, { readAt: nowMs(), availability });
    availability.catch(() => {
      if (cache.get(language)?.availability === availability) cache.delete(language);
    });
    return availability;
  };
}
