// Fuzz targets: the PKCS#12 and JKS readers, with every mutation under a recomputed MAC or
// digest so that the structure parsers behind the integrity check are reached (issue 10,
// finding 9; issue 11, finding 7). Anything but a result or a StoreReadError is a crash.
import * as asn1js from 'asn1js';
import { X509Certificate } from 'node:crypto';
import {
  encodeJks,
  KeyDerivations,
  Pkcs12Encoder,
  pkcs12Profiles,
  PKCS12_PROFILES,
  readJks,
  readPkcs12,
  StoreReadError,
  type StoreContent,
} from '../../src/keystore/index.js';
import { Pki } from '../keystore/fixtures.js';
import { jksBody, jksWithDigest, pfx, plainAuthenticatedSafe } from '../keystore/formats/forge.js';
import { assertWithinBounds, fuzz, mutations } from './harness.js';

const PASSWORD = 'fuzz-pw';

/** The AuthenticatedSafe bytes inside a PFX (what its MAC covers). */
function authenticatedSafeOf(pfxDer: Buffer): Buffer {
  const { result } = asn1js.fromBER(pfxDer);
  const authSafe = (result as asn1js.Sequence).valueBlock.value[1] as asn1js.Sequence;
  const explicit = authSafe.valueBlock.value[1] as asn1js.Constructed;
  return Buffer.from((explicit.valueBlock.value[0] as asn1js.OctetString).valueBlock.valueHexView);
}

describe('fuzz: keystore readers', function () {
  this.timeout(0);
  const pki = new Pki();
  const { root, intermediate, leaf } = pki.chain('fuzz stores', 'ec-p256');
  after(() => pki.dispose());
  const cert = (pem: string) => ({ der: Buffer.from(new X509Certificate(pem).raw), notBefore: new Date(new X509Certificate(pem).validFrom) });
  const pkcs8 = leaf.key.export({ format: 'der', type: 'pkcs8' });
  const keystore: StoreContent = { privateKey: { alias: 'k', pkcs8, chain: [cert(leaf.certPem), cert(intermediate.certPem)] }, trusted: [] };
  const truststore: StoreContent = { trusted: [{ alias: 't1', certificate: cert(root.certPem) }] };

  it('readPkcs12 on mutated content under a recomputed MAC: entries or StoreReadError', async () => {
    const corpus = [
      plainAuthenticatedSafe({ pkcs8, chain: [cert(leaf.certPem).der, cert(intermediate.certPem).der], trusted: [cert(root.certPem).der] }),
      plainAuthenticatedSafe({ trusted: [cert(root.certPem).der, cert(intermediate.certPem).der] }),
      ...(
        await Promise.all(
          PKCS12_PROFILES.map(async (profile) => {
            const encoder = new Pkcs12Encoder(pkcs12Profiles[profile], new KeyDerivations());
            return [authenticatedSafeOf(await encoder.encode(keystore, PASSWORD)), authenticatedSafeOf(await encoder.encode(truststore, PASSWORD))];
          }),
        )
      ).flat(),
    ];
    const summary = await fuzz('pkcs12', {
      weight: 16,
      inputs: mutations(corpus),
      run: (input) => readPkcs12(pfx(input, PASSWORD, { iterations: 1 }), PASSWORD),
      expected: (err) => err instanceof StoreReadError,
    });
    assertWithinBounds(summary);
  });

  it('readJks on mutated bodies under a recomputed digest: entries or StoreReadError', async () => {
    const corpus = [jksBody(encodeJks(keystore, PASSWORD)), jksBody(encodeJks(truststore, PASSWORD))];
    const summary = await fuzz('jks', {
      weight: 10,
      inputs: mutations(corpus),
      run: (input) => readJks(jksWithDigest(input, PASSWORD), PASSWORD),
      expected: (err) => err instanceof StoreReadError,
    });
    assertWithinBounds(summary);
  });
});
