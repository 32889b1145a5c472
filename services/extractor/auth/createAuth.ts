import type { TemplateScope } from '../../../shared/config/template';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import type { AuthHook } from '../http/types';
import { OAuthTokenAuth, type TokenEndpoint } from './OAuthTokenAuth';
import { staticAuth, type AuthConfig } from './staticAuth';

/**
 * The auth hook for a source's `auth` block; `tokenEndpoint` is built only for token grants (OAuth, service accounts). `client` and
 * `source` name the stored credential (a shared one is `@shared`/its ref), which keys the OAuth
 * token's cache, lock and storage.
 */
export function createAuth(
  ctx: ServiceContext,
  client: string,
  source: string,
  config: AuthConfig,
  scope: TemplateScope,
  tokenEndpoint: () => TokenEndpoint,
): AuthHook {
  if (
    config.type === 'oauth2_refresh_token' ||
    config.type === 'oauth2_client_credentials' ||
    config.type === 'google_service_account'
  ) {
    return new OAuthTokenAuth(ctx, client, source, config, scope, tokenEndpoint());
  }
  return staticAuth(config, scope);
}
