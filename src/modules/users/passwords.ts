import { randomBytes, randomInt } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** The shortest password a person may choose (one-time passwords are longer). */
export const MIN_PASSWORD_LENGTH = 10;
/** The longest accepted: argon2 takes any length, but a megabyte "password" is a denial of service. */
export const MAX_PASSWORD_LENGTH = 256;

/**
 * Hashes a password with argon2id (the library's default algorithm, with its defaults of
 * 19 MiB memory, 2 passes, 1 lane: OWASP's recommended minimum). The PHC string carries its
 * parameters, so stronger ones later still verify old hashes.
 */
export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** Whether `password` matches a stored PHC hash; false for a malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Spends the time of a real verification on an unknown e-mail, so that the answer's timing does
 * not tell which e-mails have an account. Always false.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hash(randomBytes(32).toString('hex'));
  await verifyPassword(await dummy, password);
  return false;
}

// No 0/o, 1/l/i: read aloud or copied from a terminal without mistakes.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/**
 * A one-time password: four groups of five characters (about 98 bits), e.g.
 * `k7dmq-x2hrt-9fwaz-pc3ne`. The person must replace it at their first sign-in.
 */
export function generateOneTimePassword(): string {
  const groups: string[] = [];
  for (let group = 0; group < 4; group++) {
    let text = '';
    for (let index = 0; index < 5; index++) text += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(text);
  }
  return groups.join('-');
}
