// Lint: typescript-eslint's strict, type-checked rules over the product and its tests, with
// zero warnings allowed (npm run lint). Formatting is prettier's job, not the linter's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const maxLen = {
  code: 120,
  ignoreStrings: true,
  ignoreTemplateLiterals: true,
  ignoreRegExpLiterals: true,
  ignoreUrls: true,
};

// The layers (cli -> core use cases -> ports <- adapters), as import rules: chalk and ora only at
// the UI edge, execa only in the process runner, and the core free of every adapter.
const only = (library, where) => ({ name: library, message: `${library} is used only in ${where}.` });
const CHALK = only('chalk', 'src/ui');
const ORA = only('ora', 'src/ui');
const EXECA = only('execa', 'src/os/runner.ts');
const restricted = (paths, patterns = []) => ['error', { paths, patterns }];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'ansible/**', 'packaging/**', 'images/**', 'docs/**'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'vitest.config.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { project: ['./test/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers in messages ("exit 3", "pid 42") are what the text means; anything else must be
      // turned into a string on purpose.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // prettier wraps code at 120 columns but leaves comments alone; long strings and patterns
      // stay whole so that they can be searched for.
      'max-len': ['error', maxLen],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/ui/**', 'src/os/runner.ts'],
    rules: { 'no-restricted-imports': restricted([CHALK, ORA, EXECA]) },
  },
  { files: ['src/ui/**/*.ts'], rules: { 'no-restricted-imports': restricted([EXECA]) } },
  { files: ['src/os/runner.ts'], rules: { 'no-restricted-imports': restricted([CHALK, ORA]) } },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': restricted(
        [CHALK, ORA, EXECA, only('commander', 'src/cli and src/host'), only('conf', 'src/config')],
        [
          {
            regex: '^(\\.\\./)+(cli|engine|os|ui|config|state|host)/',
            message: 'src/core imports nothing outside itself: define a port in ports.ts instead.',
          },
        ],
      ),
    },
  },
  {
    // A test that reads a value it just asserted on may say so with `!`: a wrong guess fails
    // the test either way.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.mjs', 'test/**/*.mjs', 'eslint.config.js'],
    extends: [js.configs.recommended],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
    rules: { 'max-len': ['error', maxLen] },
  },
);
