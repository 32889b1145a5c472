/**
 * A port a test context deliberately does not provide: any use fails the test loudly, naming
 * the port and method, instead of silently passing through a fake.
 */
export function unusedPort<T extends object>(name: string, who: string): T {
  return new Proxy({} as T, {
    get: (_target, property) => {
      if (property === 'then') return undefined;
      return () => {
        throw new Error(`${who} tests do not provide ports.${name}.${String(property)}`);
      };
    },
  });
}
