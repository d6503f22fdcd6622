// One worked example per command, appended to its `--help` (SPEC §5: every command documents
// its flags; a person learns faster from one line that works). Commands not listed get none.
import type { Command } from 'commander';

export const EXAMPLES: Readonly<Record<string, string>> = {
  run: 'cmpv2-operator run --namespace my-app --leader-elect --metrics-addr :8080 --log-format text',
  stores: 'cmpv2-operator stores --cert tls.crt --key tls.key --ca ca.crt --formats jks,pkcs12 --password-file pass.txt --out ./stores',
  enroll:
    'cmpv2-operator enroll --server http://127.0.0.1:8080/.well-known/cmp --secret pass:iak-secret --ref rv-1 --newkey key.pem --subject CN=my-service --certout cert.pem --cacertsout roots.pem',
  'test-ca': 'cmpv2-operator test-ca --port 8080 --secret pass:iak-secret --ref rv-1 --roots 2',
  certservice: 'cmpv2-operator certservice --config cmpServers.json --tls-cert tls.crt --tls-key tls.key --tls-client-ca ca.crt --port 8443',
  migrate: 'cmpv2-operator migrate -f onap-rendered.yaml -o migrated.yaml --issuer CMPv2Issuer/cmpv2-issuer-onap',
};

/** Adds "Example:" to the help of every registered command that has one. */
export function addExamples(program: Command): void {
  for (const command of program.commands) {
    const example = EXAMPLES[command.name()];
    if (example) command.addHelpText('after', `\nExample:\n  $ ${example}\n`);
  }
}
