import { afterEach, describe, expect, it } from 'vitest';
import { clearRegisteredSecrets, registerSecrets } from '../../shared/log/secretRedactor';
import { redactUrl } from '../../shared/log/redactUrl';

describe('redactUrl', () => {
  afterEach(() => clearRegisteredSecrets());

  it.each([
    [
      'https://api.example.com/v1/report?api_key=abc123&day=2026-01-01',
      'https://api.example.com/v1/report?api_key=[REDACTED]&day=2026-01-01',
    ],
    [
      'https://api.example.com/x?apikey=a&key=b&token=c&access_token=d&client_secret=e&signature=f',
      'https://api.example.com/x?apikey=[REDACTED]&key=[REDACTED]&token=[REDACTED]&access_token=[REDACTED]&client_secret=[REDACTED]&signature=[REDACTED]',
    ],
    [
      'https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=deadbeef&X-Amz-Expires=60',
      'https://b.s3.amazonaws.com/k?X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]&X-Amz-Expires=60',
    ],
    [
      'https://api.example.com/oauth?refresh_token=r1&grant_type=refresh_token&code=xyz',
      'https://api.example.com/oauth?refresh_token=[REDACTED]&grant_type=refresh_token&code=[REDACTED]',
    ],
    [
      'https://app.example.com/cb#access_token=tok&state=s1',
      'https://app.example.com/cb#access_token=[REDACTED]&state=s1',
    ],
    ['https://user:p%40ss@db.example.com/path?q=1', 'https://user:[REDACTED]@db.example.com/path?q=1'],
    [
      'https://api.example.com/x?Api-Key=v&monkey=banana&keyword=shoes',
      'https://api.example.com/x?Api-Key=[REDACTED]&monkey=banana&keyword=shoes',
    ],
    ['https://api.example.com/x?api%5Fkey=v', 'https://api.example.com/x?api%5Fkey=[REDACTED]'],
    ['/relative/path?token=t&page=2', '/relative/path?token=[REDACTED]&page=2'],
    ['https://api.example.com/plain', 'https://api.example.com/plain'],
  ])('%s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it('also removes registered secret values anywhere in the URL, encoded or not', () => {
    registerSecrets(['sk_live/path+secret']);
    expect(redactUrl('https://api.example.com/keys/sk_live/path+secret/usage?q=sk_live%2Fpath%2Bsecret')).toBe(
      'https://api.example.com/keys/[REDACTED]/usage?q=[REDACTED]',
    );
  });
});
