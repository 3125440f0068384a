// Stops what the global set-up started, by PID, and waits for each to exit.
export default async function globalTeardown(): Promise<void> {
  const services = ((globalThis as Record<string, unknown>).__luzServices ?? []) as { stop(): Promise<void> }[];
  for (const service of services) await service.stop();
}
