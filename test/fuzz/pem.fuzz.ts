// Fuzz targets: the PEM parser (with the certificate bundle reader and the private-key loader on
// the same text) and its linear-time property (issue 11, finding 1: the old pattern took 56 s for
// 1 MiB of unmatched BEGIN lines).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PkiInputError } from '../../src/pki/errors.js';
import { parseCertificates, parsePemBundle, toPem } from '../../src/pki/pem.js';
import { loadPrivateKey } from '../../src/pki/privateKey.js';
import { Pki } from '../keystore/fixtures.js';
import { assertWithinBounds, fuzz, mutations } from './harness.js';

const TOKENS = [
  '-----BEGIN CERTIFICATE-----',
  '-----END CERTIFICATE-----',
  '-----BEGIN PRIVATE KEY-----',
  '-----END PRIVATE KEY-----',
  '-----BEGIN EC PRIVATE KEY-----',
  '-----END EC PRIVATE KEY-----',
  '-----BEGIN ',
  '-----END ',
  '-----',
  'Proc-Type: 4,ENCRYPTED',
  '\n',
  '\r\n',
  ' ',
  ':',
  '=',
  'MIIB',
  'AAAA',
  '@@@@',
];

/** Text made of PEM's own pieces and random characters. */
const pemSoup = fc
  .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...TOKENS) }, { weight: 1, arbitrary: fc.string({ maxLength: 24 }) }), { maxLength: 200 })
  .map((parts) => Buffer.from(parts.join(''), 'utf8'));

describe('fuzz: PEM', function () {
  this.timeout(0);
  const pki = new Pki();
  const { root, intermediate, leaf } = pki.chain('fuzz pem', 'rsa');
  const ed = pki.issue('fuzz pem ed', { keyType: 'ed25519' });
  after(() => pki.dispose());

  it('parsePemBundle, parseCertificates and loadPrivateKey on PEM soup and mutated bundles: results or PkiInputError', async () => {
    const corpus = [root.certPem + intermediate.certPem, leaf.keyPem, ed.keyPem + ed.certPem, toPem('RSA PRIVATE KEY', Buffer.from([0x30, 0x00]))].map((t) =>
      Buffer.from(t),
    );
    const summary = await fuzz('pem', {
      weight: 12,
      inputs: fc.oneof(pemSoup, mutations(corpus)),
      run: (input) => {
        const text = input.toString('utf8');
        parsePemBundle(text);
        parseCertificates(text);
        loadPrivateKey(text);
      },
      expected: (err) => err instanceof PkiInputError,
    });
    assertWithinBounds(summary);
  });

  it('loadPrivateKey on mutated key DER (PKCS#8, PKCS#1, SEC1; RSA, EC, Ed25519) under the right label: a key or PkiInputError', async () => {
    const ec = pki.issue('fuzz key ec', { keyType: 'ec-p384' }).key;
    const keys: [string, Buffer][] = [
      ['PRIVATE KEY', leaf.key.export({ format: 'der', type: 'pkcs8' })],
      ['RSA PRIVATE KEY', leaf.key.export({ format: 'der', type: 'pkcs1' })],
      ['PRIVATE KEY', ed.key.export({ format: 'der', type: 'pkcs8' })],
      ['EC PRIVATE KEY', ec.export({ format: 'der', type: 'sec1' })],
      ['PRIVATE KEY', ec.export({ format: 'der', type: 'pkcs8' })],
    ];
    // The first byte of an input picks the label, the rest is the mutated DER.
    const corpus = keys.map(([, der], i) => Buffer.concat([Buffer.from([i]), der]));
    const summary = await fuzz('private-key', {
      weight: 10,
      inputs: mutations(corpus),
      run: (input) => loadPrivateKey(toPem(keys[(input[0] ?? 0) % keys.length][0], input.subarray(1))),
      expected: (err) => err instanceof PkiInputError,
    });
    assertWithinBounds(summary);
  });

  it('linear time: parsing a 256 KiB input takes ≤ 6× the time of parsing sixteen 16 KiB ones (linear: ~1×, quadratic: 16×; under the block limit), both measured in this run', async () => {
    /** Best of 5 trials of parsing every text of `texts` once (the minimum is the least disturbed by other load). */
    const minTime = (texts: string[]): number => {
      let best = Infinity;
      for (let trial = 0; trial < 5; trial++) {
        const started = process.hrtime.bigint();
        for (const text of texts) {
          try {
            parsePemBundle(text);
          } catch (err) {
            assert.ok(err instanceof PkiInputError, String(err));
          }
        }
        best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
      }
      return best;
    };
    const unit = fc.array(fc.constantFrom(...TOKENS, 'A', 'CERTIFICATE'), { minLength: 1, maxLength: 12 }).map((parts) => parts.join(''));
    const patterns = [
      '-----BEGIN CERTIFICATE-----\n',
      '-----BEGIN CERTIFICATE-----\nAAAA-----END ',
      '-----BEGIN ' + 'A'.repeat(60),
      ...fc.sample(unit, { numRuns: 8, seed: 7 }),
    ];
    const lines: string[] = [];
    for (const pattern of patterns) {
      const sized = (bytes: number): string => pattern.repeat(Math.ceil(bytes / pattern.length));
      // Equal total work (each side parsed 4 times over to lift it above the clock's noise): a
      // linear parser takes the same time, a quadratic one 16× as long. 256 KiB stays under
      // MAX_PEM_BLOCKS for every pattern, so the limit does not cut the large input short.
      const small = Math.max(minTime(Array.from({ length: 64 }, () => sized(16 * 1024))), 1);
      const large = minTime(Array.from({ length: 4 }, () => sized(256 * 1024)));
      lines.push(
        `${JSON.stringify(pattern.slice(0, 40))}: 64 × 16 KiB ${small.toFixed(2)} ms, 4 × 256 KiB ${large.toFixed(2)} ms, ratio ${(large / small).toFixed(2)}`,
      );
      assert.ok(large <= 6 * small, `not linear: ${lines.at(-1)}`);
    }
    process.stdout.write(lines.map((l) => `      linear ${l}\n`).join(''));
  });
});
