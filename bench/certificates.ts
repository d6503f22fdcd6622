// The Certificate the issuance benchmarks create: EC P-256, one DNS name, issued by `issuerRef`.
export function benchCertificate(name: string, issuerRef: Record<string, string>): unknown {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name },
    spec: {
      secretName: `${name}-tls`,
      commonName: `${name}.bench.example`,
      dnsNames: [`${name}.bench.example`],
      privateKey: { algorithm: 'ECDSA', size: 256 },
      issuerRef,
    },
  };
}
