/**
 * The workflow bundle preloads the workflow modules (worker/workflow-bundle.ts): every workflow a
 * worker runs shares one instance of them. The SDK freezes what it can reach (objects, arrays,
 * functions), but not the contents of a Map or a Set, nor a `let`: state kept there by one
 * workflow would be seen by the next, and replaying a history would depend on what ran before it.
 * So a workflow module declares at its top level only what cannot change.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../support/tools';

const WORKFLOWS_DIR = join(REPO_ROOT, 'workflows');

/** What a top-level statement of a workflow module may not be, or undefined when it is allowed. */
function mutableTopLevel(statement: ts.Statement, source: ts.SourceFile): string | undefined {
  if (ts.isVariableStatement(statement)) {
    if (!(statement.declarationList.flags & ts.NodeFlags.Const)) return `\`${statement.getText(source).split('=')[0]!.trim()}\` (only const)`;
    for (const declaration of statement.declarationList.declarations) {
      const init = declaration.initializer;
      // A RegExp without the g or y flag keeps no state between uses; any other `new` object may.
      if (init && ts.isNewExpression(init) && init.expression.getText(source) !== 'RegExp') return `\`${declaration.name.getText(source)} = new ${init.expression.getText(source)}(…)\``;
    }
    return undefined;
  }
  if (ts.isExpressionStatement(statement)) return `a statement run as the module loads: \`${statement.getText(source).slice(0, 60)}\``;
  return undefined;
}

function offences(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  return source.statements.flatMap((statement) => {
    const offence = mutableTopLevel(statement, source);
    return offence ? [`${file}: ${offence}`] : [];
  });
}

test('no workflow module keeps state of its own at its top level (they are shared by every workflow of a worker)', () => {
  const files = readdirSync(WORKFLOWS_DIR).filter((f) => f.endsWith('.ts'));
  expect(files.length).toBeGreaterThanOrEqual(20);
  expect(files.flatMap((file) => offences(file, readFileSync(join(WORKFLOWS_DIR, file), 'utf8')))).toEqual([]);
});

test('the check finds a let, a module-level Map or Set and a statement run at load, and allows constants, RegExps and definitions', () => {
  const found = offences(
    'example.ts',
    [
      "import * as wf from '@temporalio/workflow';",
      'let count = 0;',
      'const seen = new Map<string, number>();',
      'export const ids = new Set<string>();',
      'count++;',
      "const PATTERN = new RegExp('^a$');",
      'export const LIMITS = { max: 10 };',
      "export const signal = wf.defineSignal('s');",
      'export function f(): number { const local = new Map(); return local.size + count + seen.size + ids.size; }',
      'export class C { private readonly m = new Map(); }',
    ].join('\n'),
  );
  expect(found).toEqual(['example.ts: `let count` (only const)', 'example.ts: `seen = new Map(…)`', 'example.ts: `ids = new Set(…)`', 'example.ts: a statement run as the module loads: `count++;`']);
});
