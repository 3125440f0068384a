// Starts the UDP gateway as a child process (see udp-gateway/). Until the gateway exists this is a no-op.
import type { ChildProcess } from 'node:child_process';

export interface RunningGateway {
  child?: ChildProcess;
  stop(): Promise<void>;
}

export async function startGateway(_options: { env: Record<string, string> }): Promise<RunningGateway> {
  return { stop: async () => undefined };
}
