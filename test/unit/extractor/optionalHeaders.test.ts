import { describe, expect, it } from 'vitest';
import { buildRequest } from '../../../services/extractor/request/buildRequest';
import { request as requestSchema } from '../../../shared/config/schema/request';

describe('optional headers', () => {
  it('leaves out a header that renders empty (an optional one such as Google Ads login-customer-id)', () => {
    const scope = { client: { id: 'a' }, secrets: { token: 's3cret' } };
    const request = buildRequest(
      requestSchema.parse({ path: '/r', headers: { 'x-stream': '{{ client.missing | default: }}' } }),
      scope,
      'https://h',
      { 'developer-token': '{{ secrets.token }}', 'login-customer-id': '{{ client.login | default: }}' },
    );
    expect(request.headers).toEqual({ 'developer-token': 's3cret' });
  });
});
