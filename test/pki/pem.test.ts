import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCertificateBundle, parsePemBundle, toPem } from '../../src/pki/pem.js';

function selfSignedPem(cn: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pem-test-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
        '-subj',
        `/CN=${cn}`,
        '-days',
        '1',
      ],
      { stdio: 'ignore' },
    );
    return readFileSync(join(dir, 'c.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
