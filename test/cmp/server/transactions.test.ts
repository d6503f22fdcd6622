import assert from 'node:assert/strict';
import { TransactionStore } from '../../../src/cmp/server/transactions.js';

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
});
