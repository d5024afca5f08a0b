// Reads IAM statements out of a synthesized template in a comparable form.
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
