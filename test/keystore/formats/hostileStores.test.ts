// Readers against hostile store files (issue 10 finding 9, issue 11 finding 7): damage under a
// recomputed MAC or digest, so the structure parsers behind the integrity check are reached; a
// PKCS#12 without MAC; iteration counts that would cost minutes. Every failure a StoreReadError
// with its reason, never a crash or a raw library error.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { encodeJks, readJks, readPkcs12, StoreReadError, type StoreContent } from '../../../src/keystore/index.js';
import { MAX_KDF_ITERATIONS_PER_FILE } from '../../../src/keystore/formats/pkcs12Reader.js';
import { integer, primitive } from '../../../src/pki/derWriter.js';
import { Pki } from '../fixtures.js';
import { jksBody, jksWithDigest, pfx, plainAuthenticatedSafe } from './forge.js';

const PASSWORD = 'hostile-pw';

describe('keystore/formats: hostile files', () => {
  const pki = new Pki();
  const { root, intermediate, leaf } = pki.chain('hostile', 'ec-p256');
  after(() => pki.dispose());
  const der = (pem: string): Buffer => Buffer.from(new X509Certificate(pem).raw);
  const pkcs8 = leaf.key.export({ format: 'der', type: 'pkcs8' });
  const safe = plainAuthenticatedSafe({ pkcs8, chain: [der(leaf.certPem), der(intermediate.certPem)], trusted: [der(root.certPem)] });

  it('the forged plain PKCS#12 reads back (so damage to it tests the parsers, not the forge)', () => {
    const { entries } = readPkcs12(pfx(safe, PASSWORD), PASSWORD);
    assert.deepEqual(
      entries.map((e) => [e.kind, e.alias]),
      [
        ['privateKey', 'key'],
        ['trustedCertificate', 'trusted-1'],
      ],
    );
  });

  it('a PKCS#12 without MacData is refused, whatever the password (no password check is possible)', () => {
    for (const password of [PASSWORD, 'anything else']) {
      assert.throws(() => readPkcs12(pfx(safe, PASSWORD, { mac: false }), password), {
        name: 'StoreReadError',
        message:
          'PKCS#12 has no MAC, so neither its password nor its integrity can be checked; export it again with a MAC (keytool and openssl pkcs12 -export add one by default)',
      });
    }
  });

  it('every single-byte change of the structure under a recomputed MAC: read or StoreReadError, never another error', () => {
    // Certificate and key bytes are carried as they are (their consumers check them, and the fuzz
    // suite changes them too); here every other byte: the bags, attributes, OIDs and lengths.
    const carried = [pkcs8, der(leaf.certPem), der(intermediate.certPem), der(root.certPem)].map((blob) => {
      const at = safe.indexOf(blob);
      return [at + 4, at + blob.length];
    });
    const outcomes = { read: 0, refused: 0 };
    for (let i = 0; i < safe.length; i++) {
      if (carried.some(([from, to]) => i >= from && i < to)) continue;
      for (const xor of [0xff]) {
        const damaged = Buffer.from(safe);
        damaged[i] ^= xor;
        try {
          readPkcs12(pfx(damaged, PASSWORD, { iterations: 1 }), PASSWORD);
          outcomes.read += 1;
        } catch (err) {
          assert.ok(err instanceof StoreReadError, `byte ${i} ^ ${xor}: ${String(err)}`);
          outcomes.refused += 1;
        }
      }
    }
    // The MAC no longer hides the damage: changes reach the parsers and are refused there (bytes
    // inside certificates and keys are carried as they are: their consumers check them).
    assert.ok(outcomes.refused > 0 && outcomes.read > 0, JSON.stringify(outcomes));
  });

  it("a damaged leaf inside a MAC-protected file: StoreReadError, not node's ERR_OSSL error (issue 11, finding 7)", () => {
    const leafDer = der(leaf.certPem);
    const damagedLeaf = leafDer.subarray(0, leafDer.length - 1); // OpenSSL cannot parse it; asn1js never looks inside
    const file = pfx(plainAuthenticatedSafe({ pkcs8, chain: [damagedLeaf, der(intermediate.certPem)] }), PASSWORD);
    assert.throws(() => readPkcs12(file, PASSWORD), StoreReadError);
  });

  it('iteration counts: 10,000,000 (a 4-byte INTEGER asn1js reads as 0) and a total beyond the per-file budget are refused before any work', () => {
    assert.throws(() => readPkcs12(pfx(safe, PASSWORD, { iterations: 1, iterationsDer: integer(10_000_000) }), PASSWORD), {
      name: 'StoreReadError',
      message: `PKCS#12 asks for 10000000 key-derivation iterations in total, more than the ${MAX_KDF_ITERATIONS_PER_FILE} a store may cost; re-export it with fewer iterations`,
    });
    assert.throws(() => readPkcs12(pfx(safe, PASSWORD, { iterations: 1, iterationsDer: integer(2 ** 40) }), PASSWORD), /MAC iteration count out of range/);
    assert.throws(() => readPkcs12(pfx(safe, PASSWORD, { iterations: 1, iterationsDer: primitive(0x02, Buffer.from([0xff])) }), PASSWORD), /negative INTEGER/);
    assert.throws(
      () => readPkcs12(pfx(safe, PASSWORD, { iterations: 1, iterationsDer: primitive(0x02, Buffer.alloc(9, 0x7f)) }), PASSWORD),
      /INTEGER out of range/,
    );
  });

  describe('JKS', () => {
    const cert = (pem: string) => ({ der: der(pem), notBefore: new Date(new X509Certificate(pem).validFrom) });
    const content: StoreContent = {
      privateKey: { alias: 'k', pkcs8, chain: [cert(leaf.certPem), cert(intermediate.certPem)] },
      trusted: [{ alias: 't', certificate: cert(root.certPem) }],
    };
    const body = jksBody(encodeJks(content, PASSWORD));

    it('every single-byte change under a recomputed digest: read or StoreReadError, never another error', () => {
      const outcomes = { read: 0, refused: 0 };
      for (let i = 4; i < body.length; i++) {
        for (const xor of [0x01, 0x80, 0xff]) {
          const damaged = Buffer.from(body);
          damaged[i] ^= xor;
          try {
            readJks(jksWithDigest(damaged, PASSWORD), PASSWORD);
            outcomes.read += 1;
          } catch (err) {
            assert.ok(err instanceof StoreReadError, `byte ${i} ^ ${xor}: ${String(err)}`);
            outcomes.refused += 1;
          }
        }
      }
      assert.ok(outcomes.refused > 0 && outcomes.read > 0, JSON.stringify(outcomes));
    });

    it('huge counts and lengths under a valid digest are refused at once, naming the field', () => {
      const count = Buffer.from(body);
      count.writeUInt32BE(0xffffffff, 8);
      assert.throws(
        () => readJks(jksWithDigest(count, PASSWORD), PASSWORD),
        /^StoreReadError: JKS declares 4294967295 entries, more than its \d+ bytes can hold$/,
      );
      const length = Buffer.from(body);
      // entry tag (4) + alias "k" (2+1) + date (8) → the key length field
      length.writeUInt32BE(0x7fffffff, 12 + 4 + 3 + 8);
      assert.throws(() => readJks(jksWithDigest(length, PASSWORD), PASSWORD), /^StoreReadError: JKS is truncated \(key\)$/);
    });
  });
});
