import { HostNotAllowedError } from '../errors';

/**
 * Hosts a source may call. An entry is a host (`api.example.com`, port optional) or a
 * wildcard of subdomains (`*.example.com`).
 */
export class HostAllowList {
  constructor(readonly hosts: string[]) {}

  allows(url: string | URL): boolean {
    const parsed = typeof url === 'string' ? new URL(url) : url;
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
    return this.hosts.some((entry) => {
      const host = entry.toLowerCase();
      if (host.startsWith('*.')) return parsed.hostname.endsWith(host.slice(1));
      return host.includes(':') ? parsed.host === host : parsed.hostname === host;
    });
  }

  /** Throws {@link HostNotAllowedError} unless the URL's host is allowed. */
  check(url: string | URL): void {
    if (!this.allows(url)) throw new HostNotAllowedError(String(url), this.hosts);
  }
}
