// Lint: typescript-eslint with type information (floating promises are bugs in workflows and handlers),
// and workflow code kept deterministic (no Node built-ins or I/O libraries in workflows/).
// Layout is Prettier's (`npm run format`); eslint-config-prettier, last, turns off any rule that would disagree with it.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const eslintConfigPrettier = require('eslint-config-prettier/flat');

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'console/dist/', '.tools/', '.data/', 'coverage/', 'eslint.config.js', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Temporal and express types are loose in places; these add noise without catching bugs here.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Workflow code must be deterministic: no Node built-ins.' },
            {
              group: ['axios', 'express', 'mongoose', '@temporalio/activity', '@temporalio/worker', '@temporalio/client', '../activities', '../activities/*', '../api/*', '../worker/*'],
              message: 'Workflow code imports only @temporalio/workflow and pure modules (activities as `import type`).',
              allowTypeImports: true,
            },
          ],
          paths: ['fs', 'path', 'crypto', 'os', 'http', 'https', 'net', 'child_process', 'util'].map((name) => ({ name, message: 'No Node built-ins in workflow code.' })),
        },
      ],
    },
  },
  {
    // The console runs in the browser: the API's modules come in as types only (the bundle must not
    // take them in), the key stays out of persistent storage, and markup is never injected.
    files: ['console/**/*.ts', 'console/**/*.tsx'],
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['../../*', '!../../console/*'], message: 'Outside console/, import types only (`import type`).', allowTypeImports: true }] }],
      'no-restricted-globals': [
        'error',
        ...['process', 'Buffer', 'require', '__dirname'].map((name) => ({ name, message: 'Browser code: no Node globals.' })),
        { name: 'localStorage', message: 'The API key lives in sessionStorage only (console/src/session.ts).' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'Render names as text: never inject markup.' },
        { selector: 'MemberExpression[property.name=/^(innerHTML|outerHTML)$/]', message: 'Render names as text: never inject markup.' },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/unbound-method': 'off' },
  },
  eslintConfigPrettier,
);
