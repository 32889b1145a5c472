import type { z } from 'zod';
import type { auth as authSchema } from '../../../shared/config/schema/auth';
import { renderTemplate, type TemplateScope } from '../../../shared/config/template';
import type { AuthHook } from '../http/types';

export type AuthConfig = z.infer<typeof authSchema>;

/** Credentials that never change during a run: none, api_key, bearer, basic. */
export function staticAuth(
  config: Extract<AuthConfig, { type: 'none' | 'api_key' | 'bearer' | 'basic' }>,
  scope: TemplateScope,
): AuthHook {
  switch (config.type) {
    case 'none':
      return { apply: async () => undefined };
    case 'api_key': {
      const value = renderTemplate(config.value, scope);
      return {
        apply: async (target) => {
          if (config.in === 'query') target.url.searchParams.set(config.name, value);
          else target.headers[config.name.toLowerCase()] = value;
        },
      };
    }
    case 'bearer': {
      const header = `Bearer ${renderTemplate(config.token, scope)}`;
      return { apply: async (target) => void (target.headers.authorization = header) };
    }
    case 'basic': {
      const header = `Basic ${Buffer.from(`${renderTemplate(config.username, scope)}:${renderTemplate(config.password, scope)}`).toString('base64')}`;
      return { apply: async (target) => void (target.headers.authorization = header) };
    }
  }
}
