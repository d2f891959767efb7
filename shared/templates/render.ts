import type { PurchaseDetail } from '../events/purchase';
import type { TemplateDefinition, TemplateVariable } from './catalogue';

function valueOf(variable: TemplateVariable, purchase: PurchaseDetail): string {
  switch (variable) {
    case 'customerName':
      return purchase.customer.name;
    case 'productName':
      return purchase.items[0]?.name ?? '';
  }
}

/** Body parameters in the template's {{1}}, {{2}}… order, filled from the purchase. */
export function templateBodyParameters(template: TemplateDefinition, purchase: PurchaseDetail): string[] {
  return template.variables.map((variable) => valueOf(variable, purchase));
}
