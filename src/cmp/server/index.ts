// The development CMP CA: public surface for tests, the demo and the `test-ca` command.
export { startDevelopmentCa, TRANSACTIONS_FILE, type DevelopmentCa, type DevelopmentCaOptions } from './developmentCa.js';
export type { EnrollmentStats } from './enrollment.js';
export { CertificateAuthority } from './ca.js';
export { CaRefusal } from './caRefusal.js';
export { readEnrolmentLog, spkiSha256, ENROLMENT_LOG_FILE, type EnrolmentRecord } from './enrolmentLog.js';
