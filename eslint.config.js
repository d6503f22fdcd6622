// Lint is part of `npm test`: typescript-eslint's recommended rules, no `any`, and the layering
// of src/ (no-restricted-imports): the libraries (pki, cmp, keystore) never reach up into the
// operator, pki imports no other project folder, and controllers build no ASN.1 themselves.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What the libraries must not import: Kubernetes and every layer built on top of them. */
const ABOVE_THE_LIBRARIES = {
  group: ['@kubernetes/*', '**/k8s/**', '**/api/**', '**/controllers/**', '**/signer/**', '**/operator/**', '**/cli/**'],
  message: 'src/pki, src/cmp, src/keystore and src/certservice are libraries: no Kubernetes, api, controllers, signer, operator or cli code.',
};

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
    files: ['src/cmp/**', 'src/keystore/**', 'src/certservice/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [ABOVE_THE_LIBRARIES] }],
    },
  },
  {
    files: ['src/pki/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [ABOVE_THE_LIBRARIES, { group: ['../*', '../**'], message: 'src/pki is the bottom layer: it imports no other project folder.' }],
        },
      ],
    },
  },
  {
    files: ['src/controllers/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['asn1js', 'pkijs', 'node-forge', '**/cmp/asn1/**', '**/pki/derWriter*'],
              message: 'controllers build no ASN.1: use the cmp, keystore or pki functions that do.',
            },
          ],
        },
      ],
    },
  },
  {
    // migrate rewrites YAML text offline: the api constants and the libraries, never a Kubernetes client.
    files: ['src/migrate/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@kubernetes/*', '**/k8s/**', '**/controllers/**', '**/signer/**', '**/operator/**', '**/cli/**'],
              message: 'src/migrate works offline on YAML: no Kubernetes client, controllers, signer, operator or cli code.',
            },
          ],
        },
      ],
    },
  },
);
