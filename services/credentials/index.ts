export { CredentialStore } from './CredentialStore';
export { encryptSecret, type EncryptSecretInput } from './encryptSecret';
export { decryptSecret } from './decryptSecret';
export { gcmSeal, gcmOpen, SealedBoxError } from './aesGcm';
export { credentialContext, contextAad } from './encryptionContext';
export { validateSecretValues } from './validateSecretValues';
export * from './errors';
export type * from './types';
