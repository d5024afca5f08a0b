// Everything that holds data: the three tables and the SyncState bucket. Retained on stack
// deletion and protected against accidental deletion, so the stateless stack can be replaced
// freely and a `cdk destroy` never loses a mirror.
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { CURSOR_TABLE, ITEM_TABLE, MAILBOX_TABLE, type TableDefinition } from './resources.js';

export interface StatefulStackProps extends StackProps {
  /** A customer-managed KMS key for the tables and the bucket (the `encryptionKeyArn` setting). */
  encryptionKeyArn?: string;
}

export class StatefulStack extends Stack {
  /** Set only when the deployment brings its own key; the stateless stack's queues use it too. */
  readonly encryptionKey?: IKey;
  readonly mailboxTable: Table;
  readonly cursorTable: Table;
  readonly itemTable: Table;
  readonly stateBucket: Bucket;

  constructor(scope: Construct, id: string, props: StatefulStackProps = {}) {
    super(scope, id, props);
    // Imported, not created: the user owns the key and its policy (README, "Encryption keys").
    if (props.encryptionKeyArn)
      this.encryptionKey = Key.fromKeyArn(this, 'EncryptionKey', props.encryptionKeyArn);
    this.mailboxTable = this.table(MAILBOX_TABLE);
    this.cursorTable = this.table(CURSOR_TABLE);
    this.itemTable = this.table(ITEM_TABLE);

    this.stateBucket = new Bucket(this, 'StateBucket', {
      // A bucket key: S3 asks KMS for a data key per bucket and period, not per object request.
      ...(this.encryptionKey
        ? { encryption: BucketEncryption.KMS, encryptionKey: this.encryptionKey, bucketKeyEnabled: true }
        : { encryption: BucketEncryption.S3_MANAGED }),
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });
    Validations.of(this.stateBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket only holds opaque EWS SyncStates too large for a cursor item, read and written by the ' +
        'worker role alone. Per-request access logs would need a second bucket and would log every page; ' +
        'use CloudTrail S3 data events where an audit trail is required.',
    });

    new CfnOutput(this, 'MailboxTableName', { value: this.mailboxTable.tableName });
    new CfnOutput(this, 'CursorTableName', { value: this.cursorTable.tableName });
    new CfnOutput(this, 'ItemTableName', { value: this.itemTable.tableName });
    new CfnOutput(this, 'ChangeFeedStreamArn', {
      value: this.itemTable.tableStreamArn!,
      description: 'The item mirror stream (NEW_AND_OLD_IMAGES): the change feed for consumers',
    });
    new CfnOutput(this, 'StateBucketName', { value: this.stateBucket.bucketName });
  }

  private table(def: TableDefinition): Table {
    return new Table(this, def.id, {
      partitionKey: { name: def.partitionKey, type: AttributeType.STRING },
      sortKey: { name: def.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // By default an AWS-owned key: encrypted at rest at no KMS cost, and consumers of the stream
      // need no key grant. With the user's key, they do (README, "Encryption keys").
      ...(this.encryptionKey
        ? { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: this.encryptionKey }
        : { encryption: TableEncryption.DEFAULT }),
      ...(def.ttlAttribute ? { timeToLiveAttribute: def.ttlAttribute } : {}),
      ...(def.stream ? { stream: StreamViewType[def.stream] } : {}),
    });
  }
}
