import assert from 'node:assert/strict';
import { DEFAULT_PASSWORD_KEY, KEYSTORE_ANNOTATIONS as a, parseKeystoreRequest, referencedObjects } from '../../src/api/keystoreAnnotations.js';

describe('controllers/keystore/annotations', () => {
  it('is undefined without the formats annotation (no opt-in)', () => {
    assert.equal(parseKeystoreRequest(undefined), undefined);
    assert.equal(parseKeystoreRequest({ [a.alias]: 'x' }), undefined);
  });

  const valid: [string, Record<string, string>, object][] = [
    ['formats only, trimmed, lower-cased, de-duplicated', { [a.formats]: ' JKS , pem,jks ' }, { formats: ['jks', 'pem'], trustSources: [] }],
    ['password Secret with the default key', { [a.formats]: 'pkcs12', [a.passwordSecret]: 'pw' }, { password: { name: 'pw', key: DEFAULT_PASSWORD_KEY } }],
    [
      'password Secret and key, truststore password',
      { [a.formats]: 'jks', [a.passwordSecret]: 'pw', [a.passwordKey]: 'k', [a.truststorePasswordSecret]: 'tpw', [a.truststorePasswordKey]: 't.k' },
      { password: { name: 'pw', key: 'k' }, truststorePassword: { name: 'tpw', key: 't.k' } },
    ],
    ['alias keeps its case', { [a.formats]: 'jks', [a.alias]: 'My-Server' }, { alias: 'My-Server' }],
    ['profile', { [a.formats]: 'pkcs12', [a.pkcs12Profile]: 'LegacyDES' }, { pkcs12Profile: 'LegacyDES' }],
    [
      'trust sources, duplicates once',
      { [a.formats]: 'pem', [a.trustSources]: 'secret:roots/ca.crt, configmap:more/ca.pem,secret:roots/ca.crt' },
      {
        trustSources: [
          { kind: 'secret', name: 'roots', key: 'ca.crt' },
          { kind: 'configmap', name: 'more', key: 'ca.pem' },
        ],
      },
    ],
    [
      'binary trust sources with their password key, and a PEM one beside them',
      {
        [a.formats]: 'jks',
        [a.trustSources]: 'secret:stores/truststore.jks?password-key=truststore.pass,configmap:cas/t.p12?password-key=p,secret:pem/ca.crt',
      },
      {
        trustSources: [
          { kind: 'secret', name: 'stores', key: 'truststore.jks', passwordKey: 'truststore.pass' },
          { kind: 'configmap', name: 'cas', key: 't.p12', passwordKey: 'p' },
          { kind: 'secret', name: 'pem', key: 'ca.crt' },
        ],
      },
    ],
  ];
  for (const [label, annotations, expected] of valid) {
    it(`reads ${label}`, () => {
      const parsed = parseKeystoreRequest(annotations);
      assert.ok(parsed?.ok, parsed && !parsed.ok ? parsed.error : 'undefined');
      for (const [key, value] of Object.entries(expected)) assert.deepEqual((parsed.value as unknown as Record<string, unknown>)[key], value, key);
    });
  }

  const invalid: [string, Record<string, string>, RegExp][] = [
    ['an unknown format', { [a.formats]: 'jks,der' }, /unknown format 'der'; use a comma list of jks, pkcs12, pem/],
    ['an empty format list', { [a.formats]: ' , ' }, /is empty/],
    ['a password key without a Secret', { [a.formats]: 'jks', [a.passwordKey]: 'k' }, /password-key is set but .*password-secret is not/],
    ['a Secret name that is not one', { [a.formats]: 'jks', [a.passwordSecret]: 'Bad_Name' }, /is not a Secret name/],
    ['an unknown profile', { [a.formats]: 'pkcs12', [a.pkcs12Profile]: 'Weak' }, /unknown profile 'Weak'; use Modern2023, LegacyDES, LegacyRC2/],
    ['an empty alias', { [a.formats]: 'jks', [a.alias]: '  ' }, /alias must be 1 to 255/],
    [
      'a trust source of another kind',
      { [a.formats]: 'pem', [a.trustSources]: 'url:https://x/ca.pem' },
      /not 'secret:<name>\/<key>' or 'configmap:<name>\/<key>'/,
    ],
    ['a trust source without key', { [a.formats]: 'pem', [a.trustSources]: 'configmap:roots' }, /not 'secret:<name>\/<key>'/],
    [
      'a trust source option other than password-key',
      { [a.formats]: 'jks', [a.trustSources]: 'secret:s/t.jks?password=changeit' },
      /the only option is '\?password-key=<key>'/,
    ],
    ['an empty password key', { [a.formats]: 'jks', [a.trustSources]: 'secret:s/t.jks?password-key=' }, /password-key '' is not a valid data key/],
    ['a password key naming the store itself', { [a.formats]: 'jks', [a.trustSources]: 'secret:s/t.jks?password-key=t.jks' }, /names the truststore itself/],
  ];
  for (const [label, annotations, message] of invalid) {
    it(`refuses ${label} with a fix in the message`, () => {
      const parsed = parseKeystoreRequest(annotations);
      assert.ok(parsed && !parsed.ok);
      assert.match(parsed.error, message);
    });
  }

  it('lists the objects a request reads', () => {
    const parsed = parseKeystoreRequest({
      [a.formats]: 'jks',
      [a.passwordSecret]: 'pw',
      [a.truststorePasswordSecret]: 'pw',
      [a.trustSources]: 'configmap:cas/a,secret:roots/b',
    });
    assert.ok(parsed?.ok);
    assert.deepEqual(referencedObjects(parsed.value), ['secret:pw', 'configmap:cas', 'secret:roots']);
  });
});
