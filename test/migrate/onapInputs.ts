// Inputs written the way ONAP's charts render them (`helm template` of a chart that includes
// `common.certServiceClient.initContainer`, `…volumes`, `…volumeMounts`, plus a post-processor
// as dcaegen2-services-common adds it): `# Source:` comments, quoted env values, the client's TLS
// Secret volume, an in-memory emptyDir per certificate.

export interface ClientOptions {
  index?: number;
  outputType?: string | null;
  commonName?: string;
  sans?: string;
  certPath?: string;
  /** Replaces COMMON_NAME's value with a valueFrom. */
  commonNameFrom?: boolean;
}

/** One `certs-init-N` container as the OOM template renders it (indented for `initContainers:` at `indent`). */
export function clientContainer(o: ClientOptions = {}, indent = 6): string {
  const i = o.index ?? 0;
  const lines = [
    `- name: certs-init-${i}`,
    `  image: nexus3.onap.org:10001/onap/org.onap.oom.platform.cert-service.oom-certservice-client:2.6.0`,
    `  imagePullPolicy: IfNotPresent`,
    `  env:`,
    `    - name: REQUEST_URL`,
    `      value: "https://oom-cert-service:8443/v1/certificate/"`,
    `    - name: REQUEST_TIMEOUT`,
    `      value: "30000"`,
    `    - name: OUTPUT_PATH`,
    `      value: "${o.certPath ?? '/var/custom-certs'}"`,
    ...(o.outputType === null ? [] : [`    - name: OUTPUT_TYPE`, `      value: "${o.outputType ?? 'JKS'}"`]),
    `    - name: CA_NAME`,
    `      value: "RA"`,
    `    - name: COMMON_NAME`,
    ...(o.commonNameFrom
      ? [`      valueFrom:`, `        configMapKeyRef:`, `          name: "app-names"`, `          key: "cn"`]
      : [`      value: "${o.commonName ?? 'app.onap.svc.cluster.local'}"`]),
    `    - name: SANS`,
    `      value: "${o.sans ?? 'app.onap.svc.cluster.local,app,10.0.0.1'}"`,
    `    - name: ORGANIZATION`,
    `      value: "Linux-Foundation"`,
    `    - name: ORGANIZATION_UNIT`,
    `      value: "ONAP"`,
    `    - name: LOCATION`,
    `      value: "San-Francisco"`,
    `    - name: STATE`,
    `      value: "California"`,
    `    - name: COUNTRY`,
    `      value: "US"`,
    `    - name: KEYSTORE_PATH`,
    `      value: "/etc/onap/oom/certservice/certs/certServiceClient-keystore.jks"`,
    `    - name: KEYSTORE_PASSWORD`,
    `      valueFrom:`,
    `        secretKeyRef:`,
    `          name: "oom-cert-service-keystore-password"`,
    `          key: "password"`,
    `    - name: TRUSTSTORE_PATH`,
    `      value: "/etc/onap/oom/certservice/certs/truststore.jks"`,
    `    - name: TRUSTSTORE_PASSWORD`,
    `      valueFrom:`,
    `        secretKeyRef:`,
    `          name: "oom-cert-service-truststore-password"`,
    `          key: "password"`,
    `  terminationMessagePath: /dev/termination-log`,
    `  terminationMessagePolicy: File`,
    `  volumeMounts:`,
    `    - mountPath: ${o.certPath ?? '/var/custom-certs'}`,
    `      name: cmpv2-certs-volume-${i}`,
    `    - mountPath: /etc/onap/oom/certservice/certs/`,
    `      name: certservice-tls-volume`,
  ];
  return lines.map((l) => ' '.repeat(indent) + l).join('\n') + '\n';
}

export interface PodOptions {
  clients?: ClientOptions[];
  /** Extra init containers after the clients (already indented YAML). */
  extraInit?: string;
  /** App containers (already indented YAML); default: one container mounting the certs at /opt/app/certs. */
  containers?: string;
  /** Extra volumes (already indented YAML). */
  extraVolumes?: string;
}

/** The Pod spec body (containers, initContainers, volumes) at `indent`. */
export function podSpec(o: PodOptions = {}, indent = 6): string {
  const pad = ' '.repeat(indent);
  const clients = o.clients ?? [{}];
  const containers =
    o.containers ??
    [
      `- name: app`,
      `  image: "nexus3.onap.org:10001/onap/app:1.0.0"`,
      `  ports:`,
      `  - containerPort: 8443`,
      `    name: https`,
      `  volumeMounts:`,
      `    - mountPath: /opt/app/certs`,
      `      name: cmpv2-certs-volume-0`,
      `    - mountPath: /etc/localtime # the node's time zone`,
      `      name: localtime`,
      `      readOnly: true`,
    ]
      .map((l) => pad + '  ' + l)
      .join('\n') + '\n';
  return [
    `${pad}initContainers:\n`,
    ...clients.map((c, i) => clientContainer({ index: i, ...c }, indent + 2)),
    o.extraInit ?? '',
    `${pad}containers:\n`,
    containers,
    `${pad}volumes:\n`,
    `${pad}  - name: localtime\n${pad}    hostPath:\n${pad}      path: /etc/localtime\n`,
    `${pad}  - name: certservice-tls-volume\n${pad}    secret:\n${pad}      secretName: oom-cert-service-client-tls-secret\n`,
    ...clients.map((_, i) => `${pad}  - name: cmpv2-certs-volume-${i}\n${pad}    emptyDir:\n${pad}      medium: Memory\n`),
    o.extraVolumes ?? '',
  ].join('');
}

/** A workload of `kind` around `podSpec`, as helm renders it. */
export function workload(kind: string, name: string, o: PodOptions = {}): string {
  const head = `---\n# Source: ${name}/templates/${kind.toLowerCase()}.yaml\n`;
  const meta = `metadata:\n  name: ${name}\n  namespace: onap\n  labels:\n    app.kubernetes.io/name: ${name}\n`;
  switch (kind) {
    case 'Pod':
      return `${head}apiVersion: v1\nkind: Pod\n${meta}spec:\n${podSpec(o, 2)}`;
    case 'CronJob':
      return `${head}apiVersion: batch/v1\nkind: CronJob\n${meta}spec:\n  schedule: "0 3 * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n${podSpec(o, 10)}`;
    case 'Job':
      return `${head}apiVersion: batch/v1\nkind: Job\n${meta}spec:\n  backoffLimit: 3\n  template:\n    spec:\n      restartPolicy: Never\n${podSpec(o, 6)}`;
    default: {
      const api = 'apps/v1';
      const extra = kind === 'StatefulSet' ? `  serviceName: ${name}\n` : '';
      const replicas = kind === 'DaemonSet' ? '' : '  replicas: 1\n';
      return `${head}apiVersion: ${api}\nkind: ${kind}\n${meta}spec:\n${replicas}${extra}  selector:\n    matchLabels:\n      app.kubernetes.io/name: ${name}\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: ${name}\n    spec:\n${podSpec(o, 6)}`;
    }
  }
}

/** Unrelated documents helm renders beside the workload; migrate must copy them byte for byte. */
export const UNRELATED = `---
# Source: app/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: app   # kept as written
  namespace: onap
spec:
  ports: [{port: 8443, name: https}]
  selector: {app.kubernetes.io/name: app}
---
# Source: app/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  application.properties: |
    server.ssl.key-store=/opt/app/certs/keystore.jks
    server.ssl.key-store-password-file=/opt/app/certs/keystore.pass
`;
