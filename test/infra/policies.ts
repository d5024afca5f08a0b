// Reads IAM statements out of a synthesized template in a comparable form, and the IAM actions
// the code's AWS SDK calls need.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';

export interface FlatStatement {
  effect: string;
  actions: string[];
  resources: string[];
}

/** Flattens CloudFormation intrinsics into one string, the way cdk-nag prints them. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if ('Fn::Join' in node) {
    const [sep, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(sep);
  }
  if ('Ref' in node) return `<${node.Ref as string}>`;
  if ('Fn::GetAtt' in node) return `<${(node['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::ImportValue' in node) return `import(${flatten(node['Fn::ImportValue'])})`;
  return JSON.stringify(value);
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every statement of the inline policies attached to the role with this logical id prefix. */
export function roleStatements(template: Template, roleLogicalIdPrefix: string): FlatStatement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => list(p.Properties.Roles).some((r) => flatten(r).startsWith(`<${roleLogicalIdPrefix}`)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[])
    .map((s) => ({
      effect: s.Effect as string,
      actions: list(s.Action as string | string[]).sort(),
      resources: list(s.Resource).map(flatten),
    }));
}

/** The resources each action is allowed on, merged across statements. */
export function allowedActions(statements: FlatStatement[]): Map<string, Set<string>> {
  const allowed = new Map<string, Set<string>>();
  for (const s of statements.filter((x) => x.effect === 'Allow')) {
    for (const action of s.actions) {
      const set = allowed.get(action) ?? new Set<string>();
      for (const r of s.resources) set.add(r);
      allowed.set(action, set);
    }
  }
  return allowed;
}

const IAM_PREFIX: Record<string, string> = {
  dynamodb: 'dynamodb',
  s3: 's3',
  sqs: 'sqs',
  'secrets-manager': 'secretsmanager',
};

/** Commands authorised through the actions of the operations they contain, not by their own. */
const NO_OWN_ACTION = new Set(['dynamodb:TransactWriteItems', 'dynamodb:TransactGetItems']);

/**
 * The IAM actions the SDK calls in non-test files under `dir` need: every `new XxxCommand(` and
 * `paginateXxx(` in a file that loads one `@aws-sdk/client-*` package (statically or on demand).
 * SQS batch calls are authorised by their single-message action.
 */
export function sdkActionsUsedBy(dir: string): Set<string> {
  const actions = new Set<string>();
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
  );
  for (const file of files) {
    const source = readFileSync(join(dir, file), 'utf8');
    const clients = new Set(
      [...source.matchAll(/(?<!import type[^;]*)'@aws-sdk\/client-([a-z0-9-]+)'/g)].map((m) => m[1]!),
    );
    const prefixes = [...clients].map((c) => IAM_PREFIX[c]).filter((p): p is string => p !== undefined);
    if (prefixes.length === 0) continue;
    if (prefixes.length > 1)
      throw new Error(`${file} uses several AWS clients; split it or teach this check`);
    const prefix = prefixes[0]!;
    for (const match of source.matchAll(/\bnew (\w+)Command\(|\bpaginate(\w+)\(/g)) {
      const operation = match[1] ?? match[2]!;
      const action = `${prefix}:${prefix === 'sqs' ? operation.replace(/Batch$/, '') : operation}`;
      if (!NO_OWN_ACTION.has(action)) actions.add(action);
    }
  }
  return actions;
}
