// cmpServers.json as ONAP writes it, the §5.1 extensions, what is refused (with the reason), and
// the store's reload rule: a bad file keeps the last good configuration.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, ConfigStore, parseConfig } from '../../src/certservice/config.js';

const ONAP = {
  cmpv2Servers: [
    {
      caName: 'Client',
      url: 'http://oom-cert-service-ejbca:8080/ejbca/publicweb/cmp/cmp',
      issuerDN: 'CN=ManagementCA',
      caMode: 'CLIENT',
      authentication: { iak: 'mypassword', rv: 'mypassword' },
    },
    {
      caName: 'RA',
      url: 'http://oom-cert-service-ejbca:8080/ejbca/publicweb/cmp/cmpRA',
      issuerDN: 'CN=ManagementCA',
      caMode: 'RA',
      authentication: { iak: 'mypassword', rv: 'mypassword' },
    },
  ],
};

async function refusedWith(value: unknown, pattern: RegExp): Promise<void> {
  await assert.rejects(parseConfig(typeof value === 'string' ? value : JSON.stringify(value), tmpdir()), (err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err));
    assert.match(err.message, pattern);
    return true;
  });
}

describe('certservice config (cmpServers.json)', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'certservice-config-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("ONAP's file as shipped: both servers, ir by default", async () => {
    const config = await parseConfig(JSON.stringify(ONAP), dir);
    assert.deepEqual([...config.servers.keys()], ['Client', 'RA']);
    const ra = config.servers.get('RA')!;
    assert.equal(ra.messageType, 'ir');
    assert.equal(ra.iak, 'mypassword');
    assert.equal(ra.trustExtraCertsRoots, false);
    assert.equal(ra.tls, undefined);
  });

  it('extensions: messageType, tls files (read, relative to the file), trustExtraCertsRoots', async () => {
    writeFileSync(path.join(dir, 'ca.pem'), 'CA-PEM');
    writeFileSync(path.join(dir, 'c.pem'), 'CERT-PEM');
    writeFileSync(path.join(dir, 'k.pem'), 'KEY-PEM');
    const entry = {
      ...ONAP.cmpv2Servers[1],
      url: 'https://ca.example/.well-known/cmp',
      messageType: 'p10cr',
      tls: { caBundleFile: 'ca.pem', clientCertFile: 'c.pem', clientKeyFile: path.join(dir, 'k.pem') },
      trustExtraCertsRoots: true,
    };
    const server = (await parseConfig(JSON.stringify({ cmpv2Servers: [entry] }), dir)).servers.get('RA')!;
    assert.equal(server.messageType, 'p10cr');
    assert.deepEqual(server.tls, { ca: 'CA-PEM', cert: 'CERT-PEM', key: 'KEY-PEM' });
    assert.equal(server.trustExtraCertsRoots, true);
  });

  it('refuses, naming the problem', async () => {
    const with_ = (patch: Record<string, unknown>) => ({ cmpv2Servers: [{ ...ONAP.cmpv2Servers[0], ...patch }] });
    await refusedWith('{"cmpv2Servers": [', /not JSON/);
    await refusedWith({ cmpv2Servers: [] }, /at least one server/);
    await refusedWith(with_({ url: 'ftp://x' }), /cmpv2Servers\.0\.url: url must be an http/);
    await refusedWith(with_({ issuerDN: 'garbage' }), /issuerDN/);
    await refusedWith(with_({ authentication: { iak: '', rv: 'x' } }), /authentication\.iak/);
    await refusedWith(with_({ messageType: 'kur' }), /messageType/);
    await refusedWith(with_({ tls: { clientCertFile: 'c.pem' } }), /go together/);
    await refusedWith(with_({ tls: { caBundleFile: 'missing.pem' } }), /cannot read tls\.caBundleFile missing\.pem: ENOENT/);
    await refusedWith({ cmpv2Servers: [ONAP.cmpv2Servers[0], ONAP.cmpv2Servers[0]] }, /listed twice/);
    await refusedWith(with_({ unknownField: 1 }), /unrecognized key/i);
  });

  it('the store: no config before a good load; a bad reload keeps the last good one and reports why', async () => {
    const file = path.join(dir, 'cmpServers.json');
    writeFileSync(file, '{');
    const store = new ConfigStore(file);
    await assert.rejects(store.reload(), ConfigError);
    assert.equal(store.current, undefined);
    assert.match(store.problem ?? '', /not JSON/);
    writeFileSync(file, JSON.stringify(ONAP));
    await store.reload();
    assert.deepEqual([...store.current!.servers.keys()], ['Client', 'RA']);
    assert.equal(store.problem, undefined);
    writeFileSync(file, JSON.stringify({ cmpv2Servers: [] }));
    await assert.rejects(store.reload(), /at least one server/);
    assert.deepEqual([...store.current!.servers.keys()], ['Client', 'RA'], 'last good config kept');
    rmSync(file);
    await assert.rejects(store.reload(), /cannot read the configuration .*ENOENT/);
  });
});
