/**
 * Files holding secrets (account passwords, keys) are refused when others may read them or
 * anyone but the owner may change them, as ssh refuses a private key "too open": a secret
 * that any local user can read is no secret. Windows has no such mode bits; nothing is checked there.
 */
import { statSync } from 'node:fs';
import { SecurityError, SecurityErrorCode } from './errors.js';

/** Mode bits that make a secret file unsafe: group write, and any access by others. */
export const UNSAFE_SECRET_MODE = 0o027;

/** Throws SecurityError SECRET_FILE_MODE when `path` is readable by others or writable by group/others. */
export function checkSecretFileMode(path: string): void {
  if (process.platform === 'win32') return;
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch (e) {
    throw new SecurityError(SecurityErrorCode.SECRET_FILE_MODE, `cannot read ${path}: ${(e as Error).message}`);
  }
  if ((mode & UNSAFE_SECRET_MODE) !== 0)
    throw new SecurityError(
      SecurityErrorCode.SECRET_FILE_MODE,
      `${path} holds secrets and its permissions 0${mode.toString(8)} are too open ` +
        `(others may read it or group/others change it); run: chmod 600 ${path}`,
    );
}
