// zod pieces shared by the commands' flag schemas, so every command words its refusals alike.
import * as z from 'zod';

/** A whole-number flag in [min, max], with a message that names the flag. */
export function integerFlag(name: string, min: number, max: number) {
  return z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`);
}
