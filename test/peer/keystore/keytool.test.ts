// keytool (Java 17) lists every store we write: the exact number of trustedCertEntry for CA
// bundles of 1, 3 and 20 certificates (with duplicates and junk between them), and the
// PrivateKeyEntry with its alias and chain, for JKS and every PKCS#12 profile, RSA/EC/Ed25519.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { buildStoreFiles, PKCS12_PROFILES, type Pkcs12ProfileName } from '../../../src/keystore/index.js';
import { messyBundle, Pki, type TestKeyType } from '../../keystore/fixtures.js';
import { inParallel, keytoolList, type KeytoolListing } from './javaTools.js';

interface Case {
  distinctCas: number;
  keyType: TestKeyType;
}

const CASES: Case[] = [
  { distinctCas: 1, keyType: 'rsa' },
  { distinctCas: 3, keyType: 'ec-p256' },
  { distinctCas: 20, keyType: 'ed25519' },
];
const ALIAS = 'MyKey';
const PASSWORD = 'store-Pa$$word#1';

interface Listed {
  label: string;
  distinctCas: number;
  expectedTrusted: string[];
  expectedChain: string[];
  keystore: KeytoolListing;
  truststore: KeytoolListing;
}

describe('keytool -list -v on our stores', function () {
  this.timeout(300_000);
  const pki = new Pki();
  const listed: Listed[] = [];
  const twentyCaListings: string[] = [];

  before(async () => {
    const passwordFile = pki.path('password');
    writeFileSync(passwordFile, PASSWORD);
    const jobs: (() => Promise<void>)[] = [];
    for (const { distinctCas, keyType } of CASES) {
      const { root, intermediate, leaf, tlsCrt } = pki.chain(`${distinctCas}-ca`, keyType);
      const cas = [root, ...pki.roots(`${distinctCas}-ca extra`, distinctCas - 1)];
      // Every CA once plus duplicates of the first two, with comments and damaged blocks between.
      const caCrt = messyBundle(cas, 2);
      const expectedTrusted = cas.map((ca) => `O=cmpv2-operator tests, CN=${ca.name}`);
      const expectedChain = [leaf, intermediate].map((c) => `O=cmpv2-operator tests, CN=${c.name}`);
      const variants: { label: string; format: 'jks' | 'pkcs12'; profile: Pkcs12ProfileName }[] = [
        { label: 'JKS', format: 'jks', profile: 'Modern2023' },
        ...PKCS12_PROFILES.map((profile) => ({ label: `PKCS#12 ${profile}`, format: 'pkcs12' as const, profile })),
      ];
      for (const { label, format, profile } of variants) {
        const built = await buildStoreFiles(
          { tlsCrt, tlsKey: leaf.keyPem, caCrt },
          { formats: [format], keystorePassword: PASSWORD, alias: ALIAS, pkcs12Profile: profile },
        );
        assert.equal(built.trustedCount, distinctCas);
        const extension = format === 'jks' ? 'jks' : 'p12';
        const storeType = format === 'jks' ? 'JKS' : 'PKCS12';
        const base = pki.path(`${distinctCas}-${keyType}-${profile}-${format}`);
        writeFileSync(`${base}-keystore.${extension}`, built.files[`keystore.${extension}`]!);
        writeFileSync(`${base}-truststore.${extension}`, built.files[`truststore.${extension}`]!);
        const entry = { label: `${label}, ${keyType} key, ${distinctCas} CAs`, distinctCas, expectedTrusted, expectedChain } as Listed;
        listed.push(entry);
        jobs.push(async () => {
          entry.keystore = await keytoolList(`${base}-keystore.${extension}`, storeType, passwordFile);
        });
        jobs.push(async () => {
          entry.truststore = await keytoolList(`${base}-truststore.${extension}`, storeType, passwordFile);
          if (distinctCas === 20) twentyCaListings.push(`${label} truststore: ${summarize(entry.truststore)}`);
        });
      }
    }
    await inParallel(jobs, 2);
    for (const line of twentyCaListings) console.log(`      keytool, 20 CAs, ${line}`);
  });

  after(() => pki.dispose());

  function summarize(listing: KeytoolListing): string {
    const types = new Map<string, number>();
    for (const e of listing.entries) types.set(e.type, (types.get(e.type) ?? 0) + 1);
    return `"Your keystore contains ${listing.declaredCount} entries", ${[...types].map(([t, n]) => `${n} × ${t}`).join(', ')}`;
  }

  it('lists exactly one trustedCertEntry per distinct CA, aliased trusted-certificate-N in bundle order', () => {
    assert.equal(listed.length, CASES.length * 4);
    for (const entry of listed) {
      const { truststore, distinctCas, expectedTrusted, label } = entry;
      assert.equal(truststore.declaredCount, distinctCas, label);
      assert.equal(truststore.entries.length, distinctCas, label);
      assert.deepEqual(
        truststore.entries.map((e) => e.type),
        Array(distinctCas).fill('trustedCertEntry'),
        label,
      );
      // keytool sorts nothing for PKCS#12 but lists JKS in hash order: compare as sets of (alias, owner).
      const pairs = truststore.entries.map((e) => `${e.alias} ${e.owners[0]}`).sort();
      const expected = expectedTrusted.map((owner, i) => `trusted-certificate-${i + 1} ${owner}`).sort();
      assert.deepEqual(pairs, expected, label);
    }
  });

  it('lists one PrivateKeyEntry under the alias with the chain leaf → intermediate', () => {
    for (const { keystore, expectedChain, label } of listed) {
      assert.equal(keystore.declaredCount, 1, label);
      assert.equal(keystore.entries.length, 1, label);
      const [entry] = keystore.entries;
      assert.equal(entry.type, 'PrivateKeyEntry', label);
      // Java lists aliases lower-cased for both JKS and PKCS#12 (our PKCS#12 friendlyName keeps "MyKey").
      assert.equal(entry.alias, ALIAS.toLowerCase(), label);
      assert.equal(entry.chainLength, 2, label);
      assert.deepEqual(entry.owners, expectedChain, label);
    }
  });
});
