// The CertService-compatible server (SPEC §5.1): a drop-in for ONAP's CertService REST API on
// our CMP library. No Kubernetes code.
export { startCertService, type CertServiceServerOptions, type RunningCertService, type CertServiceLogger } from './server.js';
export { ConfigStore, ConfigError, loadConfig, parseConfig, type CertServiceConfig, type Cmpv2Server } from './config.js';
export { CaGateway, answerForCmpError, rejectionText, type CertificationAnswer } from './caGateway.js';
export { CertServiceMetrics } from './metrics.js';
export * from './errors.js';
