// The development CMP CA: public surface for tests, the demo and the `test-ca` command.
export { startDevelopmentCa, type DevelopmentCa, type DevelopmentCaOptions } from './development-ca.js';
export type { EnrollmentStats } from './enrollment.js';
export { CertificateAuthority } from './ca.js';
export { CaRefusal, type CaFailInfo } from './ca-refusal.js';
