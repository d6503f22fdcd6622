import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TransactionStore, type StateCodec } from '../../../src/cmp/server/transactions.js';

describe('CMP server transaction store', () => {
  // A fake clock started at a random time, so any use of the real clock would show.
  let now = 1_700_000_000_000 + Math.floor(Math.random() * 1e9);
  const clock = () => now;
  const fields = (state: string | undefined) => ({ lastNonce: new Uint8Array([1]), protection: 'pbm' as const, state });

  it('keeps a transaction until it has been idle for idleMs, and each save renews it', () => {
    const store = new TransactionStore<string>({ idleMs: 1000, now: clock });
    store.save('a', fields('issued'));
    now += 999;
    assert.equal(store.get('a')?.state, 'issued');
    store.save('a', fields('confirming'));
    now += 999;
    assert.equal(store.get('a')?.state, 'confirming');
    now += 1;
    assert.equal(store.get('a'), undefined);
  });

  it('remembers finished transactions (state undefined) so their id is not reused meanwhile', () => {
    const store = new TransactionStore<string>({ idleMs: 1000, now: clock });
    store.save('done', fields(undefined));
    assert.ok(store.get('done'));
    assert.equal(store.get('done')?.state, undefined);
  });

  it('drops the least recently used transactions beyond maxOpen', () => {
    const store = new TransactionStore<string>({ maxOpen: 2, now: clock });
    store.save('a', fields('1'));
    store.save('b', fields('2'));
    store.save('a', fields('3'));
    store.save('c', fields('4'));
    assert.equal(store.size, 2);
    assert.equal(store.get('b'), undefined);
    assert.equal(store.get('a')?.state, '3');
    assert.equal(store.get('c')?.state, '4');
  });

  describe('kept in a file (a CA with a state dir)', () => {
    const codec: StateCodec<string> = {
      encode: (state) => ({ text: state }),
      decode: (value) => {
        const text = (value as { text?: unknown }).text;
        if (typeof text !== 'string') throw new Error('not a stored state');
        return text;
      },
    };
    let file: string;
    beforeEach(() => {
      file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tx-store-')), 'transactions.json');
    });
    afterEach(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));

    it('a new store on the same file has the nonces, identity and state; expired ones stay gone', () => {
      const first = new TransactionStore<string>({ idleMs: 1000, now: clock }, { file, codec });
      first.save('0d', fields('stale'));
      now += 600;
      first.save('ab', { lastNonce: new Uint8Array([9, 8]), protection: 'signature', identity: 'signature:00ff', state: 'polling' });
      first.save('d0', fields(undefined));
      now += 500; // '0d' has now been idle for 1100 ms
      const second = new TransactionStore<string>({ idleMs: 1000, now: clock }, { file, codec });
      assert.equal(second.size, 2);
      assert.equal(second.get('0d'), undefined);
      assert.deepEqual(second.get('ab'), {
        id: 'ab',
        lastNonce: new Uint8Array([9, 8]),
        protection: 'signature',
        identity: 'signature:00ff',
        state: 'polling',
        expiresAt: second.get('ab')?.expiresAt,
      });
      assert.ok(second.get('d0'));
      assert.equal(second.get('d0')?.state, undefined);
      assert.deepEqual(fs.readdirSync(path.dirname(file)), ['transactions.json'], 'no temporary file left behind');
    });

    it('a stored state the codec refuses fails the start instead of answering with it', () => {
      fs.writeFileSync(
        file,
        JSON.stringify({ version: 1, transactions: [{ id: 'aa', lastNonce: '01', protection: 'pbm', state: { text: 7 }, expiresAt: now + 1000 }] }),
      );
      assert.throws(() => new TransactionStore<string>({ now: clock }, { file, codec }), /not a stored state/);
    });
  });
});
