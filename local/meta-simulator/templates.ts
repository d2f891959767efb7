import { parameterCountMismatch, templateNotFound, type GraphError } from './graph-errors';
import { bodyParameterCount, type TemplateMessageRequest } from './send-request';

/** Meta's template categories; the category decides the price and comes back in status `pricing`. */
export type TemplateCategory = 'utility' | 'marketing' | 'authentication';

/** One approved template as the simulator's WhatsApp account knows it. */
export interface ApprovedTemplate {
  name: string;
  /** Meta's language code, e.g. `es`, `es_AR`, `pt_BR`; matched exactly, as Meta does. */
  language: string;
  /** How many `{{n}}` the body has. */
  bodyParameters: number;
  /** @default 'utility' */
  category?: TemplateCategory;
}

export type TemplateCheck = { ok: true; category: TemplateCategory } | { ok: false; error: GraphError };

/**
 * The account's approved templates. Without a list every template is accepted as utility,
 * so the simulator can stand in before the catalogue exists; with one, sends are checked the
 * way Meta checks them (unknown name or language 132001, wrong body parameter count 132000).
 */
export function templateCatalogue(approved: readonly ApprovedTemplate[] | undefined): (message: TemplateMessageRequest) => TemplateCheck {
  if (approved === undefined) return () => ({ ok: true, category: 'utility' });
  const byKey = new Map(approved.map((template) => [catalogueKey(template.name, template.language), template]));
  return (message) => {
    const { name, language } = message.template;
    const template = byKey.get(catalogueKey(name, language.code));
    if (template === undefined) return { ok: false, error: templateNotFound(name, language.code) };
    const received = bodyParameterCount(message);
    if (received !== template.bodyParameters) return { ok: false, error: parameterCountMismatch(received, template.bodyParameters) };
    return { ok: true, category: template.category ?? 'utility' };
  };
}

function catalogueKey(name: string, language: string): string {
  return `${name}\u0000${language}`;
}
