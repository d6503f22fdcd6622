// Lint is part of `npm test`: typescript-eslint's recommended rules, no `any`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.testbed/**', '**/*.java', 'test/**/fixtures/**'] },
  js.configs.recommended,
  { languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/cmp/**', 'src/keystore/**'],
    rules: {
      // The protocol and format libraries never import Kubernetes code.
      'no-restricted-imports': ['error', { patterns: ['@kubernetes/*', '**/k8s/**', '**/controllers/**'] }],
    },
  },
);
