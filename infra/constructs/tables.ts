import { RemovalPolicy, Tags } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { pinLogicalId } from './logical-id';

/** Attribute DynamoDB's TTL deletes expired items by (epoch seconds); every table has it. */
export const TTL_ATTRIBUTE = 'expiresAt';

export interface PosventaTableProps {
  /** What the table holds, recorded as the `posventa:purpose` tag so the console says it. */
  readonly purpose: string;

  /**
   * Keep the table when the stack is deleted and refuse deletion until protection is turned
   * off by hand. For data that is evidence (consent records), not for rebuildable data.
   *
   * @default false - retained on stack deletion, but not deletion-protected
   */
  readonly protect?: boolean;
}

/**
 * One DynamoDB table with Posventa's single-table defaults: `pk` / `sk` string keys,
 * on-demand billing, point-in-time recovery, encryption at rest with the AWS managed key,
 * and TTL on `expiresAt`. Its logical id is this construct's id.
 */
export class PosventaTable extends Construct {
  public readonly table: Table;

  constructor(scope: Construct, id: string, props: PosventaTableProps) {
    super(scope, id);
    if (props.purpose.trim() === '') throw new Error(`PosventaTable ${id}: props.purpose must say what the table holds`);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: props.protect ?? false,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    pinLogicalId(this.table, id);
    Tags.of(this.table).add('posventa:purpose', props.purpose);
  }
}
