// The staff key in the cloud: an SSM Parameter Store SecureString (STAFF_KEY_PARAMETER), read with
// decryption at cold start and kept for STAFF_KEY_REFRESH_MS, so a rotated key (docs/DEPLOY.md) is in
// use everywhere within minutes without a deploy, and the key is never in the template or an environment.

/** How long a read key is used before it is read again: the longest a replaced key keeps working. */
export const STAFF_KEY_REFRESH_MS = 5 * 60_000;

/**
 * One cached value, read again once it is older than `refreshMs`. Concurrent callers share one read.
 * A failed read is logged and answers the previous key (or none: staff refused, customers still let in),
 * and the next call tries again, so an SSM outage never turns into a 500 for every request.
 */
export class StaffKeySource {
  private value: string | undefined;
  private readAt = -Infinity;
  private reading: Promise<string | undefined> | undefined;

  constructor(
    private readonly read: () => Promise<string>,
    private readonly options: { refreshMs?: number; now?: () => number; onError?: (error: unknown) => void } = {},
  ) {}

  get(): Promise<string | undefined> {
    const now = (this.options.now ?? Date.now)();
    if (now - this.readAt < (this.options.refreshMs ?? STAFF_KEY_REFRESH_MS)) return Promise.resolve(this.value);
    this.reading ??= this.read()
      .then(
        (value) => {
          this.value = value;
          this.readAt = now;
          return value;
        },
        (error: unknown) => {
          this.options.onError?.(error);
          return this.value;
        },
      )
      .finally(() => (this.reading = undefined));
    return this.reading;
  }
}

/** Reads a SecureString, decrypted (the SDK is the Lambda runtime's; loaded only where a parameter is used). */
export async function readParameter(name: string, region: string): Promise<string> {
  const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
  const client = new SSMClient({ region });
  try {
    const { Parameter } = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    if (!Parameter?.Value) throw new Error(`SSM parameter ${name} has no value`);
    return Parameter.Value;
  } finally {
    client.destroy();
  }
}
