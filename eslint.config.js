// ESLint flat config: typescript-eslint's recommended rules plus import rules that keep the
// architecture honest: no import cycles, and modules meet only through their index.ts.
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'web/dist/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+modules/[^/]+/(?!index\\.js$).+',
              message: 'Import another module only through its index.ts (modules/<name>/index.js).',
            },
            {
              regex: '^\\.\\./[^/]+/(?!index\\.js$)[^/]+\\.js$',
              message: 'Inside modules/, reach a sibling module only through its index.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // Browser tests live one folder down (test/browser) and reach test/support as ../support/*.js,
    // which the modules' sibling rule above would read as a sibling module.
    files: ['test/browser/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // One clock (issue 9): modules read time from the injected Clock (src/clock), never from
    // the host, so sandbox time and a test's fixed time reach every part alike.
    files: ['src/modules/**/*.ts'],
    ignores: ['src/modules/**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Read time from the injected Clock (clock.now(), clock.at(number)), not Date.now().',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Read time from the injected Clock (clock.now(), clock.at(number)), not new Date(); new Date(x) is fine.',
        },
      ],
    },
  },
  {
    // The sandbox shares wire types with the platform, never logic.
    files: ['src/sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!whatsapp/wire\\.js$).+',
              message: 'src/sandbox may import only ../whatsapp/wire.js from the rest of Conversa.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/modules/**', 'src/sandbox/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+modules/[^/]+/(?!index\\.js$).+',
              message: 'Import a module only through its index.ts (modules/<name>/index.js).',
            },
            {
              regex: '^(\\.\\./)+sandbox/(?!index\\.js$).+',
              message: 'Use the sandbox only through src/sandbox/index.ts.',
            },
          ],
        },
      ],
    },
  },
);
