// The user's KMS key (the `encryptionKeyArn` setting), where the stateless stack applies it: the
// queues' encryption and the roles' use of the key. The stateful stack sets it on the tables and
// the bucket. Without a key both return what the stack had before, so the templates do not change.
import { Duration } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { QueueEncryption } from 'aws-cdk-lib/aws-sqs';

/**
 * A queue encrypted with the user's key, or with SQS's own. SQS asks KMS for a data key once per
 * reuse period and principal instead of per message: 15 minutes keeps it to a few thousand KMS
 * requests a month per queue and role (the default is 5).
 */
export function queueEncryption(key: IKey | undefined) {
  return key
    ? { encryption: QueueEncryption.KMS, encryptionMasterKey: key, dataKeyReuse: Duration.minutes(15) }
    : { encryption: QueueEncryption.SQS_MANAGED };
}

/**
 * The two KMS calls the services make on a caller's behalf with the user's key, on that key only:
 * GenerateDataKey to write (SQS send, S3 put, DynamoDB writes) and Decrypt to read. Nothing when
 * there is no key. Not key.grantEncryptDecrypt: that adds Encrypt, ReEncrypt* and GenerateDataKey*.
 */
export function grantKeyUse(grantee: IGrantable, key: IKey | undefined): void {
  if (!key) return;
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }),
  );
}
