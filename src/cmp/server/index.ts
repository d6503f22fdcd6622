// The development CMP CA: public surface for tests, the demo and the `test-ca` command.
export { startDevelopmentCa, type DevelopmentCa, type DevelopmentCaOptions } from './developmentCa.js';
export type { EnrollmentStats } from './enrollment.js';
export { CertificateAuthority } from './ca.js';
export { CaRefusal } from './caRefusal.js';
