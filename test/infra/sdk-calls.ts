// Which AWS calls each Lambda function's code can make, and on which resource: a call graph built
// with the TypeScript checker from the function's handler factory, through the core's use cases
// and the ports to the adapters' SDK commands. DynamoDB Local and fauxqs enforce no IAM, so this is
// what keeps the roles in step with the code (test/infra/stacks.test.ts compares both ways).
//
// The graph follows direct calls, calls of methods on `this` and on typed values, calls through a
// port interface (to every class under lib/adapters that implements it), calls through the
// function-typed ports listed in FUNCTION_PORTS, constructors, and project functions passed as
// arguments. Anything else passed around as a value is not followed: `adapterCallSites` lists
// every SDK call under lib/adapters so the test can insist that each one is reached by some
// function or is declared operator-only.
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/** Each adapter class and the resource its calls go to, as lib/app/container.ts wires them. */
export const ADAPTER_RESOURCES: Record<string, string> = {
  DynamoMailboxRegistry: 'MailboxTable',
  DynamoCursorStore: 'CursorTable',
  DynamoItemMirror: 'ItemTable',
  // Built by DynamoItemMirror on the mirror's own table.
  ClosedFolderGuard: 'ItemTable',
  S3SyncStateStore: 'StateBucket/*',
  // Operator-only (mailbox purge), on the same tables.
  DynamoMirrorEraser: 'ItemTable',
  DynamoCursorEraser: 'CursorTable',
  SqsWorkQueue: 'SyncQueue',
  SqsDeadLetterQueue: 'DeadLetterQueue',
  // Operator-only (dlq list, dlq redrive), on the same queue.
  SqsDeadLetterReader: 'DeadLetterQueue',
  SecretsCredentialsResolver: 'Secrets',
};

/**
 * Function types the container fills with an adapter's member (a call through such a value has no
 * declaration to follow): container.ts passes `secretCredentials.resolve` as the mail source's
 * CredentialsResolver.
 */
export const FUNCTION_PORTS: Record<string, { adapter: string; member: string }> = {
  CredentialsResolver: { adapter: 'SecretsCredentialsResolver', member: 'resolve' },
};

export interface FunctionCode {
  /** Module (relative to the repository) and name of the function that builds the handler. */
  entry: { file: string; name: string };
  /** Port interfaces the function's container leaves unwired: no call can reach them. */
  unwired: readonly string[];
}

export interface SdkCall {
  /** IAM action, e.g. `dynamodb:PutItem`. */
  action: string;
  /** Resource label from ADAPTER_RESOURCES. */
  resource: string;
  /** `Class.member` the call is made in. */
  site: string;
}

const IAM_PREFIX: Record<string, string> = {
  dynamodb: 'dynamodb',
  s3: 's3',
  sqs: 'sqs',
  'secrets-manager': 'secretsmanager',
};

/** TransactWriteItems has no IAM action of its own: each of its operations is authorised by its own. */
const TRANSACT_WRITE_OPERATIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

const SDK_MODULE = /[\\/]node_modules[\\/]@aws-sdk[\\/]client-([a-z0-9-]+)[\\/]/;

type Body = ts.Node;

export class SdkCallGraph {
  private readonly program: ts.Program;
  private readonly checker: ts.TypeChecker;
  private readonly adapterDir: string;

  constructor(
    private readonly root: string,
    entries: readonly FunctionCode[],
  ) {
    const config = ts.getParsedCommandLineOfConfigFile(
      join(root, 'tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        },
      },
    );
    if (!config) throw new Error('cannot read tsconfig.json');
    this.adapterDir = join(root, 'lib', 'adapters') + sep;
    const adapterFiles = config.fileNames.filter((f) => this.isAdapterSource(f));
    this.program = ts.createProgram({
      rootNames: [...entries.map((e) => join(root, e.entry.file)), ...adapterFiles],
      options: config.options,
    });
    this.checker = this.program.getTypeChecker();
  }

  /** Every AWS call `fn` can reach. */
  callsOf(fn: FunctionCode): SdkCall[] {
    const source = this.program.getSourceFile(join(this.root, fn.entry.file));
    const entry = source?.statements.find(
      (s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === fn.entry.name,
    );
    if (!entry) throw new Error(`${fn.entry.file} has no function ${fn.entry.name}`);
    for (const port of fn.unwired) {
      if (!this.implementationIndex().get(port)?.classes.length)
        throw new Error(`unwired: no class implements ${port}; is the name still right?`);
    }
    const calls = new Map<string, SdkCall>();
    const seen = new Set<ts.Node>();
    const unwired = new Set(fn.unwired);
    const visit = (body: Body | undefined): void => {
      if (!body || seen.has(body) || !this.isProjectSource(body.getSourceFile().fileName)) return;
      seen.add(body);
      const walk = (node: ts.Node): void => {
        for (const call of this.sdkCallsAt(node)) calls.set(`${call.site} ${call.action}`, call);
        for (const target of this.targetsAt(node, unwired)) visit(target);
        ts.forEachChild(node, walk);
      };
      walk(body);
    };
    visit(entry);
    return [...calls.values()];
  }

  /** Every SDK call made anywhere in the adapters' source. */
  adapterCallSites(): SdkCall[] {
    const calls = new Map<string, SdkCall>();
    for (const file of this.program.getSourceFiles()) {
      if (!this.isAdapterSource(file.fileName)) continue;
      const walk = (node: ts.Node): void => {
        for (const call of this.sdkCallsAt(node)) calls.set(`${call.site} ${call.action}`, call);
        ts.forEachChild(node, walk);
      };
      walk(file);
    }
    return [...calls.values()];
  }

  private isProjectSource(file: string): boolean {
    return (
      file.startsWith(this.root) &&
      !file.includes(`${sep}node_modules${sep}`) &&
      !file.endsWith('.d.ts') &&
      !file.endsWith('.test.ts')
    );
  }

  private isAdapterSource(file: string): boolean {
    return file.startsWith(this.adapterDir) && this.isProjectSource(file);
  }

  /** The SDK calls a node makes by itself (a command, a paginator). */
  private sdkCallsAt(node: ts.Node): SdkCall[] {
    if (ts.isNewExpression(node)) {
      const client = this.sdkClientOf(node.expression);
      const operation = node.expression.getText().match(/(\w+)Command$/)?.[1];
      if (!client || !operation) return [];
      if (client === 'dynamodb' && operation === 'TransactWriteItems') {
        const operations = new Set<string>();
        const find = (n: ts.Node): void => {
          if (ts.isPropertyAssignment(n) && TRANSACT_WRITE_OPERATIONS[n.name.getText()])
            operations.add(TRANSACT_WRITE_OPERATIONS[n.name.getText()]!);
          ts.forEachChild(n, find);
        };
        node.arguments?.forEach(find);
        if (operations.size === 0) throw new Error(`${this.where(node)}: a transaction with no operation?`);
        return [...operations].map((op) => this.sdkCall(node, `dynamodb:${op}`));
      }
      if (client === 'dynamodb' && operation === 'TransactGetItems') {
        return [this.sdkCall(node, 'dynamodb:GetItem')];
      }
      return [this.sdkCall(node, this.action(client, operation))];
    }
    if (ts.isCallExpression(node)) {
      const client = this.sdkClientOf(node.expression);
      const operation = node.expression.getText().match(/\bpaginate(\w+)$/)?.[1];
      if (client && operation) return [this.sdkCall(node, this.action(client, operation))];
    }
    return [];
  }

  private action(client: string, operation: string): string {
    const prefix = IAM_PREFIX[client];
    if (!prefix)
      throw new Error(`@aws-sdk/client-${client}: unknown IAM prefix, teach test/infra/sdk-calls.ts`);
    // SQS batch calls are authorised by their single-message action.
    return `${prefix}:${prefix === 'sqs' ? operation.replace(/Batch$/, '') : operation}`;
  }

  private sdkCall(node: ts.Node, action: string): SdkCall {
    const owner = this.enclosingClass(node);
    const resource = owner ? ADAPTER_RESOURCES[owner] : undefined;
    if (!resource)
      throw new Error(
        `${this.where(node)}: ${action} outside the adapter classes of ADAPTER_RESOURCES (test/infra/sdk-calls.ts)`,
      );
    return { action, resource, site: `${owner}.${this.enclosingMember(node)}` };
  }

  /** The @aws-sdk client package an expression's value comes from, if any. */
  private sdkClientOf(expression: ts.Expression): string | undefined {
    const declarations = [
      ...(this.symbolOf(expression)?.declarations ?? []),
      ...(this.checker.getTypeAtLocation(expression).getSymbol()?.declarations ?? []),
    ];
    for (const declaration of declarations) {
      const match = declaration.getSourceFile().fileName.match(SDK_MODULE);
      if (match) return match[1];
    }
    return undefined;
  }

  private symbolOf(expression: ts.Node): ts.Symbol | undefined {
    const at = ts.isPropertyAccessExpression(expression) ? expression.name : expression;
    const symbol = this.checker.getSymbolAtLocation(at);
    return symbol && symbol.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(symbol) : symbol;
  }

  /** The code a node can run: what it calls or constructs, and project functions it passes on. */
  private targetsAt(node: ts.Node, unwired: Set<string>): Body[] {
    if (ts.isCallExpression(node)) {
      return [
        ...this.bodiesOf(node.expression, unwired),
        ...node.arguments.flatMap((arg) =>
          ts.isIdentifier(arg) || ts.isPropertyAccessExpression(arg) ? this.bodiesOf(arg, unwired) : [],
        ),
      ];
    }
    if (ts.isNewExpression(node)) {
      const symbol = this.symbolOf(node.expression);
      const classes = (symbol?.declarations ?? []).filter(ts.isClassDeclaration);
      return [
        ...classes.flatMap((c) => c.members.filter(ts.isConstructorDeclaration)),
        ...(node.arguments ?? []).flatMap((arg) =>
          ts.isIdentifier(arg) || ts.isPropertyAccessExpression(arg) ? this.bodiesOf(arg, unwired) : [],
        ),
      ];
    }
    return [];
  }

  /** The bodies a callee expression can stand for. */
  private bodiesOf(callee: ts.Expression, unwired: Set<string>): Body[] {
    const symbol = this.symbolOf(callee);
    const bodies: Body[] = [];
    for (const declaration of symbol?.declarations ?? []) {
      if (
        ts.isFunctionDeclaration(declaration) ||
        ts.isMethodDeclaration(declaration) ||
        ts.isGetAccessorDeclaration(declaration) ||
        ts.isArrowFunction(declaration) ||
        ts.isFunctionExpression(declaration)
      ) {
        bodies.push(declaration);
      } else if (
        (ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration)) &&
        declaration.initializer &&
        (ts.isArrowFunction(declaration.initializer) || ts.isFunctionExpression(declaration.initializer))
      ) {
        bodies.push(declaration.initializer);
      } else if (
        (ts.isMethodSignature(declaration) || ts.isPropertySignature(declaration)) &&
        ts.isInterfaceDeclaration(declaration.parent)
      ) {
        const port = declaration.parent.name.text;
        if (unwired.has(port)) continue;
        bodies.push(...this.implementations(port, declaration.name.getText()));
      }
      const typeName = functionTypeName(declaration);
      const port = typeName ? FUNCTION_PORTS[typeName] : undefined;
      if (port && !unwired.has(typeName!)) bodies.push(...this.members(port.adapter, port.member, true));
    }
    return bodies;
  }

  /**
   * The members named `member` of everything in the project that implements the interface `port`:
   * classes that say so, and object literals typed with it (the core's page appliers).
   */
  private implementations(port: string, member: string): Body[] {
    const { classes, literals } = this.implementationIndex().get(port) ?? { classes: [], literals: [] };
    return [
      ...classes.flatMap((c) => this.memberBodies(c, member)),
      ...literals.flatMap((literal) =>
        literal.properties.flatMap((p) => {
          if (p.name?.getText() !== member) return [];
          if (ts.isMethodDeclaration(p)) return [p];
          if (ts.isPropertyAssignment(p))
            return ts.isIdentifier(p.initializer) || ts.isPropertyAccessExpression(p.initializer)
              ? this.bodiesOf(p.initializer, new Set())
              : [p.initializer];
          if (ts.isShorthandPropertyAssignment(p)) return this.bodiesOf(p.name, new Set());
          return [];
        }),
      ),
    ];
  }

  private implementationIndex(): Map<
    string,
    { classes: ts.ClassDeclaration[]; literals: ts.ObjectLiteralExpression[] }
  > {
    if (this.implementationCache) return this.implementationCache;
    const index = new Map<
      string,
      { classes: ts.ClassDeclaration[]; literals: ts.ObjectLiteralExpression[] }
    >();
    const entry = (name: string) => {
      const found = index.get(name) ?? { classes: [], literals: [] };
      index.set(name, found);
      return found;
    };
    for (const file of this.program.getSourceFiles()) {
      if (!this.isProjectSource(file.fileName)) continue;
      const walk = (node: ts.Node): void => {
        if (ts.isClassDeclaration(node)) {
          for (const clause of node.heritageClauses ?? []) {
            if (clause.token !== ts.SyntaxKind.ImplementsKeyword) continue;
            for (const t of clause.types) entry(t.expression.getText()).classes.push(node);
          }
        } else if (ts.isObjectLiteralExpression(node)) {
          const type = this.checker.getContextualType(node);
          const name = (type?.aliasSymbol ?? type?.getSymbol())?.getName();
          if (name && name !== '__object' && name !== '__type') entry(name).literals.push(node);
        }
        ts.forEachChild(node, walk);
      };
      walk(file);
    }
    this.implementationCache = index;
    return index;
  }
  private implementationCache?: Map<
    string,
    { classes: ts.ClassDeclaration[]; literals: ts.ObjectLiteralExpression[] }
  >;

  private members(adapter: string, member: string, required: boolean): Body[] {
    const found = this.adapterClasses()
      .filter((c) => c.name?.text === adapter)
      .flatMap((c) => this.memberBodies(c, member));
    if (required && found.length === 0)
      throw new Error(`no ${adapter}.${member} under lib/adapters: update FUNCTION_PORTS`);
    return found;
  }

  private memberBodies(declaration: ts.ClassDeclaration, member: string): Body[] {
    return declaration.members.flatMap((m): Body[] => {
      if (m.name?.getText() !== member) return [];
      if (ts.isMethodDeclaration(m)) return [m];
      if (ts.isPropertyDeclaration(m) && m.initializer) return [m.initializer];
      return [];
    });
  }

  private adapterClassCache?: ts.ClassDeclaration[];
  private adapterClasses(): ts.ClassDeclaration[] {
    this.adapterClassCache ??= this.program
      .getSourceFiles()
      .filter((f) => this.isAdapterSource(f.fileName))
      .flatMap((f) => f.statements.filter(ts.isClassDeclaration));
    return this.adapterClassCache;
  }

  private enclosingClass(node: ts.Node): string | undefined {
    for (let n: ts.Node | undefined = node; n; n = n.parent) {
      if (ts.isClassDeclaration(n)) return n.name?.text;
    }
    return undefined;
  }

  private enclosingMember(node: ts.Node): string {
    for (let n: ts.Node | undefined = node; n; n = n.parent) {
      if (ts.isClassElement(n) && n.name) return n.name.getText();
    }
    return '?';
  }

  private where(node: ts.Node): string {
    const file = node.getSourceFile();
    const { line } = file.getLineAndCharacterOfPosition(node.getStart());
    return `${relative(this.root, file.fileName)}:${line + 1}`;
  }
}

/** The name of the type alias a parameter, property or variable is declared with, if any. */
function functionTypeName(declaration: ts.Declaration): string | undefined {
  if (
    (ts.isParameter(declaration) ||
      ts.isPropertyDeclaration(declaration) ||
      ts.isPropertySignature(declaration) ||
      ts.isVariableDeclaration(declaration)) &&
    declaration.type &&
    ts.isTypeReferenceNode(declaration.type)
  ) {
    return declaration.type.typeName.getText();
  }
  return undefined;
}
