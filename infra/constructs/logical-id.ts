import { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Gives a construct's CloudFormation resource a fixed logical id.
 *
 * Stateful resources (tables, queues, secrets) and the resources other programs look up
 * (the local stack reads functions and tables from the template) keep the same logical id
 * however the construct tree is later rearranged: moving a table into another construct
 * must never make CloudFormation replace it.
 */
export function pinLogicalId(construct: IConstruct, logicalId: string): void {
  const resource = construct.node.defaultChild;
  if (!(resource instanceof CfnElement)) {
    throw new Error(`pinLogicalId: ${construct.node.path} has no CloudFormation resource to name "${logicalId}"`);
  }
  resource.overrideLogicalId(logicalId);
}
