import assert from 'node:assert/strict';
import { PemLimitError } from '../../src/pki/errors.js';
import { opensslSelfSigned } from './opensslCertificate.js';
import { describePemProblems, looksLikeDer, MAX_PEM_BLOCKS, MAX_PEM_BYTES, parseCertificateBundle, parsePemBundle, toPem } from '../../src/pki/pem.js';

const selfSignedPem = (cn: string): string => opensslSelfSigned(`/CN=${cn}`);

describe('pki/pem', () => {
  const a = selfSignedPem('a');
  const b = selfSignedPem('b');

  it('reads a CRLF bundle with text between blocks', () => {
    const text = `subject=CN=a\r\n${a.replace(/\n/g, '\r\n')}some words\n${b}`;
    const bundle = parseCertificateBundle(text);
    assert.equal(bundle.certificates.length, 2);
    assert.deepEqual(bundle.problems, []);
  });

  it('reports damaged blocks and non-certificates by position', () => {
    const junk = '-----BEGIN CERTIFICATE-----\nnot*base64\n-----END CERTIFICATE-----\n';
    const garbageDer = toPem('CERTIFICATE', Buffer.from('hello world!'));
    const key = toPem('PRIVATE KEY', Buffer.from([0x30, 0x00]));
    const bundle = parseCertificateBundle(a + junk + garbageDer + key + b);
    assert.equal(bundle.certificates.length, 2);
    assert.deepEqual(
      bundle.problems.map((p) => p.index),
      [2, 3, 4],
    );
    assert.match(bundle.problems[0].reason, /base64/);
    assert.match(bundle.problems[1].reason, /X\.509/);
    assert.match(bundle.problems[2].reason, /not a CERTIFICATE/);
  });

  it('round-trips DER through toPem', () => {
    const der = parsePemBundle(a).blocks[0].der;
    assert.deepEqual(parsePemBundle(toPem('CERTIFICATE', der)).blocks[0].der, der);
  });
});

describe('pki/pem: hostile input (issue 11, finding 1)', () => {
  const a = selfSignedPem('hostile');
  const unmatched = (bytes: number): string => '-----BEGIN CERTIFICATE-----\n'.repeat(Math.ceil(bytes / 28));

  it('unmatched BEGIN lines: 256 KiB read as one problem each; 1 MiB (37,450 lines) refused by the block limit (time per MiB: `npm run bench -- parse`; growth: the fuzz suite)', () => {
    const { blocks, problems } = parsePemBundle(unmatched(1 << 18) + a);
    assert.equal(blocks.length, 1, 'the certificate after them is still read');
    assert.equal(problems.length, Math.ceil((1 << 18) / 28));
    assert.match(problems[0].reason, /^BEGIN CERTIFICATE has no END line before the next BEGIN; complete or remove the block$/);
    assert.throws(() => parsePemBundle(unmatched(1 << 20) + a, 'ca.crt'), {
      name: 'PemLimitError',
      message: `ca.crt has more than ${MAX_PEM_BLOCKS} PEM blocks; split it`,
    });
  });

  it('a BEGIN with no END anywhere after it: one problem for it and everything after', () => {
    const { blocks, problems } = parsePemBundle(a + unmatched(1 << 20));
    assert.equal(blocks.length, 1);
    assert.deepEqual(problems, [
      { index: 2, label: 'CERTIFICATE', reason: 'BEGIN CERTIFICATE has no END line (nor has any BEGIN line after it); complete or remove the block' },
    ]);
  });

  it('refuses more than MAX_PEM_BLOCKS blocks and more than MAX_PEM_BYTES with the reason, before any decoding', () => {
    assert.throws(
      () => parsePemBundle(`-----BEGIN X-----\nAAAA\n-----END X-----\n`.repeat(MAX_PEM_BLOCKS + 1), 'ca.crt'),
      (e: Error) => e instanceof PemLimitError && e.message === `ca.crt has more than ${MAX_PEM_BLOCKS} PEM blocks; split it`,
    );
    assert.throws(
      () => parsePemBundle(' '.repeat(MAX_PEM_BYTES + 1), 'ca.crt'),
      (e: Error) => e instanceof PemLimitError && /^ca\.crt is 16\.0 MiB; PEM input is limited to 16 MiB, split it$/.test(e.message),
    );
  });

  it('mismatched and damaged END lines, headers kept apart, DER recognised', () => {
    const body = a.split('\n').slice(1, -2).join('\n');
    const text = `-----BEGIN CERTIFICATE-----\n${body}\n-----END X509 CRL-----\n-----BEGIN CERTIFICATE-----\n${body}\n-----END certificate-----\n${a}`;
    const { blocks, problems } = parsePemBundle(text);
    assert.deepEqual(
      problems.map((p) => [p.index, p.reason]),
      [
        [1, 'BEGIN CERTIFICATE is closed by END X509 CRL'],
        [2, 'the END line of CERTIFICATE is damaged'],
      ],
    );
    assert.deepEqual(
      blocks.map((b) => b.index),
      [3],
    );
    const legacy = parsePemBundle('-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n');
    assert.deepEqual(legacy.blocks[0].headers, { 'Proc-Type': '4,ENCRYPTED', 'DEK-Info': 'AES-256-CBC,00' });
    const der = parsePemBundle(a).blocks[0].der;
    assert.equal(looksLikeDer(der.toString('utf8')), true);
    assert.equal(looksLikeDer(der.toString('latin1')), true);
    assert.equal(looksLikeDer(a), false);
    assert.equal(looksLikeDer('0 is a number\n'), false);
  });

  it('describes at most 10 problems, then how many more', () => {
    const problems = Array.from({ length: 12 }, (_, i) => ({ index: i + 1, label: 'CERTIFICATE', reason: 'r' }));
    assert.match(describePemProblems(problems), /^block 1 \(CERTIFICATE\): r; .*block 10 \(CERTIFICATE\): r; and 2 more$/);
  });
});
