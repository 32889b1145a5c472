import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed box failed to open: the key, the additional data, the nonce, ciphertext or tag differ. */
export class SealedBoxError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'SealedBoxError';
  }
}

/**
 * AES-256-GCM with a fresh random 12-byte nonce. Returns `nonce ‖ ciphertext ‖ tag`.
 *
 * @example
 * const sealed = gcmSeal(dataKey, contextAad(context), Buffer.from(json));
 */
export function gcmSeal(key: Buffer, aad: Buffer, plaintext: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** Opens what {@link gcmSeal} made; throws {@link SealedBoxError} on any mismatch or alteration. */
export function gcmOpen(key: Buffer, aad: Buffer, sealed: Buffer): Buffer {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) {
    throw new SealedBoxError(`ciphertext is too short (${sealed.length} bytes) to hold a nonce and tag`);
  }
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SealedBoxError(
      'ciphertext failed authentication (wrong key or context, or altered nonce, ciphertext or tag)',
    );
  }
}
