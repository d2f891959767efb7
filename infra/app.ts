/**
 * The CDK app `cdk synth` / `cdk deploy` run (cdk.json: `npx tsx infra/app.ts`). Settings come
 * from the `posventa` object in cdk.json's context; see infra/config.ts for each key.
 */
import { App } from 'aws-cdk-lib';
import { CONFIG_CONTEXT_KEY, parseConfig } from './config';
import { PosventaStack } from './stack';
import { STACK_ID, addComplianceChecks } from './synth';

const app = new App();
const config = parseConfig(app.node.tryGetContext(CONFIG_CONTEXT_KEY));
new PosventaStack(app, STACK_ID, { config });
addComplianceChecks(app);
app.synth();
