export async function runTransformPart(_o: unknown): Promise<Record<string, unknown>> {
  return { todo: true };
}
