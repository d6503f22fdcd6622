// writeStoreDirectory all-or-nothing (issue 11, finding 3): a failing rename — a real one (a
// directory named like a store file) and injected ones at every step — leaves the old set
// byte for byte and no temporary or backup file (they hold private keys).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreDirectoryError, writeStoreDirectory, type StoreDirectoryFs } from '../../src/keystore/storeDirectory.js';

const NAMES = ['keystore.jks', 'truststore.jks', 'keystore.pass', 'truststore.pass', 'keystore.pem', 'key.pem', 'truststore.pem'];
const files = (tag: string): Record<string, Buffer> => Object.fromEntries(NAMES.map((n) => [n, Buffer.from(`${tag} ${n}`)]));

describe('keystore/storeDirectory', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'store-dir-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const snapshot = (): Record<string, string> =>
    Object.fromEntries(readdirSync(dir).map((n) => [n, statSync(join(dir, n)).isDirectory() ? '<dir>' : readFileSync(join(dir, n), 'utf8')]));

  it('writes every file 0600 and replaces an old set, leaving nothing else', () => {
    writeStoreDirectory(dir, files('old'));
    const written = writeStoreDirectory(dir, files('new'));
    assert.deepEqual(
      written,
      NAMES.map((n) => join(dir, n)),
    );
    assert.deepEqual(snapshot(), Object.fromEntries(NAMES.map((n) => [n, `new ${n}`])));
    for (const n of NAMES) assert.equal(statSync(join(dir, n)).mode & 0o777, 0o600);
  });

  it('a directory named like the last store file: refused before anything is written, the old set stays, no temporary file', () => {
    writeStoreDirectory(dir, files('old'));
    rmSync(join(dir, 'truststore.pem'));
    mkdirSync(join(dir, 'truststore.pem'));
    writeFileSync(join(dir, 'truststore.pem', 'inside'), 'x');
    const before = snapshot();
    assert.throws(() => writeStoreDirectory(dir, files('new')), {
      name: 'StoreDirectoryError',
      message: `${dir}/truststore.pem is a directory or special file where the store file truststore.pem belongs; remove or rename it (nothing was written)`,
    });
    assert.deepEqual(snapshot(), before);
  });

  for (const [failing, at] of [
    ['writeFileSync', 3],
    ['linkSync', 2],
    ['renameSync', 0],
    ['renameSync', 4],
    ['renameSync', 6],
  ] as const) {
    it(`${failing} failing at call ${at + 1} (EPERM): the old set stays byte for byte, nothing else is left`, () => {
      writeStoreDirectory(dir, files('old'));
      const before = snapshot();
      let calls = 0;
      const failingFs: StoreDirectoryFs = {
        writeFileSync: fs.writeFileSync,
        linkSync: fs.linkSync,
        rmSync: fs.rmSync,
        renameSync: fs.renameSync,
        [failing]: (...args: unknown[]) => {
          if (calls++ === at) throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
          return (fs[failing] as (...a: unknown[]) => unknown)(...args);
        },
      };
      assert.throws(
        () => writeStoreDirectory(dir, files('new'), failingFs),
        (e: Error) => e instanceof StoreDirectoryError && /: EPERM; nothing was written \(the old files are unchanged\)/.test(e.message),
      );
      assert.deepEqual(snapshot(), before);
    });
  }

  it('a failure in a directory that had no stores leaves it empty', () => {
    mkdirSync(join(dir, 'key.pem'));
    assert.throws(() => writeStoreDirectory(dir, files('new')), StoreDirectoryError);
    assert.deepEqual(snapshot(), { 'key.pem': '<dir>' });
  });

  it('--out naming a file: says it is not a directory', () => {
    writeFileSync(join(dir, 'file'), 'x');
    assert.throws(() => writeStoreDirectory(join(dir, 'file'), files('new')), {
      name: 'StoreDirectoryError',
      message: `${join(dir, 'file')} exists and is not a directory; give --out a directory (it is created if missing)`,
    });
  });
});
