// `npm run demo [-- --out DIR]`: runs the demo and prints what it made and where.
import { resolve } from 'node:path';
import { runDemo, type DemoReport } from './runDemo.js';

function outDirFrom(argv: string[]): string {
  const at = argv.indexOf('--out');
  if (at === -1) return resolve('demo-out');
  const value = argv[at + 1];
  if (!value) throw new Error('--out needs a directory');
  return resolve(value);
}

function print(report: DemoReport): void {
  const lines = [
    'cmpv2-operator demo',
    '',
    `1. development CA   ${report.caUrl}`,
    `                    ${report.rootCount} self-signed roots; issuing intermediate "${report.intermediate}"`,
    `2. enrolled over CMP (ir, password-based MAC, ${report.implicitConfirmGranted ? 'implicit confirmation' : 'certConf → pkiconf'})`,
    `                    subject  ${report.subject}`,
    `                    SANs     ${report.subjectAltName}`,
    `                    serial   ${report.serialNumber}, valid until ${report.validTo}`,
    `3. stores (SPEC §4) in ${report.outDir}`,
    `                    ${report.files.join(' ')}`,
    `                    passwords: keystore.pass, truststore.pass (not printed)`,
    '4. checked',
  ];
  for (const store of report.stores) {
    const keytool = store.keytool ? `keytool lists ${store.keytool.join(', ')}` : 'keytool not installed';
    lines.push(`   ${store.file.padEnd(16)} ${store.entries.join('; ')}`);
    lines.push(`   ${''.padEnd(16)} ${keytool}`);
  }
  if (!report.keytoolFound) lines.push('', 'keytool was not found: install a JDK to have the stores checked by Java too.');
  process.stdout.write(`${lines.join('\n')}\n`);
}

try {
  print(await runDemo({ outDir: outDirFrom(process.argv.slice(2)) }));
} catch (err) {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
  process.exitCode = 1;
}
