// Store passwords generated when the user gives none (SPEC §4).
import { randomInt } from 'node:crypto';

export const PASSWORD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_$#';
export const GENERATED_PASSWORD_LENGTH = 24;

/** 24 characters drawn uniformly from `[A-Za-z0-9_$#]` with a cryptographic generator. */
export function generatePassword(): string {
  let password = '';
  for (let i = 0; i < GENERATED_PASSWORD_LENGTH; i++) password += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return password;
}
