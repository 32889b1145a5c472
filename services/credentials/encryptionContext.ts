import type { EncryptionContext } from '../../shared/ports';

/** The context every credential's data key and ciphertext are bound to. */
export function credentialContext(client: string, source: string): EncryptionContext {
  return { client, source };
}

/**
 * Canonical bytes of a context (JSON with sorted keys), used as GCM additional data so a
 * ciphertext moved to another client or source fails authentication even with the right key.
 */
export function contextAad(context: EncryptionContext): Buffer {
  const sorted = Object.keys(context)
    .sort()
    .map((key) => [key, context[key]]);
  return Buffer.from(JSON.stringify(Object.fromEntries(sorted)), 'utf8');
}
