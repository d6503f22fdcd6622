// The table of Certificates of issue 13, shared by fields.test.ts (development CA: what comes
// back) and fieldsOpenssl.test.ts (OpenSSL's mock CMP server: what is sent): one row per
// Certificate, with the message type of its issuer, its key type and the fields it asks for.

const LONG_LABEL = 'l'.repeat(63);

export type MessageType = 'ir' | 'cr' | 'p10cr';
export type KeyType = 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'P-256' | 'P-384' | 'P-521' | 'Ed25519';

/** One row of the table: a Certificate and what its certificate must say. */
export interface FieldRow {
  name: string;
  messageType: MessageType;
  key: KeyType;
  duration?: string;
  isCA?: boolean;
  usages: string[];
  commonName?: string;
  literalSubject?: string;
  subject?: Record<string, string[]>;
  dnsNames?: string[];
  ipAddresses?: string[];
  emailAddresses?: string[];
  uris?: string[];
}

export const ROWS: FieldRow[] = [
  {
    name: 'ir-rsa4096',
    messageType: 'ir',
    key: 'RSA-4096',
    duration: '2h',
    usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
    literalSubject: 'CN=ir-rsa4096.example,OU=Team B,OU=Team A,O=Example\\, Inc.,L=Berlin,C=DE',
    dnsNames: ['*.ir.example', `${LONG_LABEL}.example`],
    ipAddresses: ['192.0.2.10', '2001:db8::10'],
    emailAddresses: ['ops@example.org'],
    uris: ['spiffe://cluster.local/ns/apps/sa/web'],
  },
  {
    name: 'ir-ed25519',
    messageType: 'ir',
    key: 'Ed25519',
    duration: '26h',
    usages: ['digital signature', 'server auth'],
    commonName: 'ir-ed25519.example',
    dnsNames: ['ir-ed25519.example'],
  },
  {
    name: 'ir-p384-ca',
    messageType: 'ir',
    key: 'P-384',
    duration: '48h',
    isCA: true,
    usages: ['cert sign', 'crl sign', 'digital signature'],
    commonName: 'Sub CA P-384',
  },
  {
    name: 'cr-rsa3072',
    messageType: 'cr',
    key: 'RSA-3072',
    duration: '3h',
    usages: ['digital signature', 'key encipherment', 'server auth'],
    commonName: 'cr-rsa3072.example',
    subject: { organizations: ['Org A', 'Org B'], organizationalUnits: ['Unit 1', 'Unit 2'], countries: ['DE'] },
    dnsNames: ['cr-rsa3072.example', '*.cr.example'],
    ipAddresses: ['198.51.100.7', 'fd00::1'],
    emailAddresses: ['cr@example.org', 'pki@example.org'],
    uris: ['https://cr.example/id', 'urn:example:cr'],
  },
  { name: 'cr-p521', messageType: 'cr', key: 'P-521', duration: '100h', usages: ['client auth', 'digital signature'], dnsNames: [`${LONG_LABEL}.cr.example`] },
  {
    name: 'cr-ed25519-ca',
    messageType: 'cr',
    key: 'Ed25519',
    duration: '12h',
    isCA: true,
    usages: ['cert sign', 'digital signature'],
    commonName: 'Sub CA Ed25519',
  },
  {
    name: 'p10cr-p256',
    messageType: 'p10cr',
    key: 'P-256',
    duration: '4h',
    usages: ['digital signature', 'server auth', 'client auth'],
    commonName: 'p10cr-p256.example',
    subject: { organizations: ['Org P'], organizationalUnits: ['U1', 'U2'] },
    dnsNames: ['p10cr-p256.example', '*.p10.example'],
    ipAddresses: ['203.0.113.9', '2001:db8:0:1::9'],
    emailAddresses: ['p10@example.org'],
    uris: ['spiffe://cluster.local/ns/p10/sa/x'],
  },
  {
    name: 'p10cr-rsa2048',
    messageType: 'p10cr',
    key: 'RSA-2048',
    usages: ['digital signature', 'key encipherment', 'content commitment'],
    literalSubject: 'CN=P10 Signer,OU=B,OU=A,O=Example,C=FR',
  },
  { name: 'p10cr-p521', messageType: 'p10cr', key: 'P-521', usages: ['digital signature', 'key agreement'], dnsNames: ['p10cr-p521.example'] },
  { name: 'p10cr-ed25519', messageType: 'p10cr', key: 'Ed25519', usages: ['digital signature'], dnsNames: ['p10cr-ed25519.example'] },
];

const PRIVATE_KEY: Record<KeyType, { algorithm: string; size?: number }> = {
  'RSA-2048': { algorithm: 'RSA', size: 2048 },
  'RSA-3072': { algorithm: 'RSA', size: 3072 },
  'RSA-4096': { algorithm: 'RSA', size: 4096 },
  'P-256': { algorithm: 'ECDSA', size: 256 },
  'P-384': { algorithm: 'ECDSA', size: 384 },
  'P-521': { algorithm: 'ECDSA', size: 521 },
  Ed25519: { algorithm: 'Ed25519' },
};
export function certificateFor(row: FieldRow, issuer: string): Record<string, unknown> & { apiVersion: string; kind: string } {
  const spec: Record<string, unknown> = {
    secretName: `${row.name}-tls`,
    privateKey: { ...PRIVATE_KEY[row.key], rotationPolicy: 'Always' },
    usages: row.usages,
    issuerRef: { group: 'certmanager.onap.org', kind: 'CMPv2Issuer', name: issuer },
  };
  for (const field of ['duration', 'isCA', 'commonName', 'literalSubject', 'subject', 'dnsNames', 'ipAddresses', 'emailAddresses', 'uris'] as const) {
    if (row[field] !== undefined) spec[field] = row[field];
  }
  return { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: row.name }, spec };
}
