// The operator's logger: pino, JSON lines by default; `text` renders the same records as one
// readable line each (`time LEVEL message key=value …`) without another dependency.
import { Writable } from 'node:stream';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { LogFormat, LogLevel } from './options.js';

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OMITTED = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

function value(v: unknown): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

/** One JSON record from pino as a text line. */
export function textLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString() : '';
  const level = LEVEL_NAMES[record.level as number] ?? String(record.level);
  const fields = Object.entries(record)
    .filter(([k]) => !OMITTED.has(k))
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
  return `${time} ${level.padEnd(5)} ${typeof record.msg === 'string' ? record.msg : ''}${fields ? ` ${fields}` : ''}`;
}

function textStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = chunk
        .toString('utf8')
        .split('\n')
        .filter((l) => l.length > 0);
      out.write(lines.map((l) => `${textLine(l)}\n`).join(''));
      done();
    },
  });
}

/** Logs to stderr (stdout stays free for command output). */
export function createLogger(level: LogLevel, format: LogFormat, out: NodeJS.WritableStream = process.stderr): PinoLogger {
  const options = { level, base: { component: 'cmpv2-operator' } };
  return format === 'json' ? pino(options, out as unknown as DestinationStream) : pino(options, textStream(out));
}
