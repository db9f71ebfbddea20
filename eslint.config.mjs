// `npm test` runs this with --max-warnings 0. The layer rules are the architecture's:
// only src/engine/ speaks to dockerode, only the UI layer imports vscode.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const sizeLimits = {
  'max-lines': ['warn', { max: 300, skipBlankLines: false, skipComments: false }],
  'max-lines-per-function': ['warn', { max: 80, skipBlankLines: false, skipComments: false, IIFEs: true }],
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', '.vscode-test/**', 'media/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['warn', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      ...sizeLimits,
      'no-restricted-imports': [
        'warn',
        {
          paths: [
            { name: 'dockerode', message: 'Engine calls go through the typed functions in src/engine/.' },
            { name: 'vscode', message: 'The core never imports vscode: only src/ui/ and src/extension.ts do.' },
          ],
        },
      ],
      'no-restricted-properties': [
        'warn',
        { property: 'untimed', message: 'Engine calls go through the typed functions in src/engine/.' },
        { property: 'docker', message: 'Engine calls go through the typed functions in src/engine/.' },
        { property: 'call', message: 'Engine calls go through the typed functions in src/engine/ (connection.call is theirs).' },
      ],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['warn', { paths: [{ name: 'vscode', message: 'The core never imports vscode: only src/ui/ and src/extension.ts do.' }] }],
      'no-restricted-properties': 'off',
    },
  },
  {
    files: ['src/ui/**/*.ts', 'src/extension.ts'],
    rules: {
      'no-restricted-syntax': [
        'warn',
        {
          selector: "CallExpression[callee.property.name='registerCommand'][callee.object.property.name='commands']",
          message: 'Register commands through registerCommand() of src/ui/commands/kernel.ts (failure, Retry, cancellation in one place).',
        },
      ],
      'no-restricted-imports': ['warn', { paths: [{ name: 'dockerode', message: 'Engine calls go through the typed functions in src/engine/.' }] }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
