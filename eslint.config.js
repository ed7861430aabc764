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
