// Cold-start probe, run in a fresh Node process: import one bundled handler, invoke it once, print the times as JSON.
// Plain JavaScript on purpose: no TypeScript loader may sit between the process start and the import.
import { pathToFileURL } from 'node:url';

const [bundle, eventJson] = process.argv.slice(2);
const lambdaContext = {
  functionName: 'bench',
  awsRequestId: 'bench-cold-start',
  getRemainingTimeInMillis: () => 10_000,
  callbackWaitsForEmptyEventLoop: false,
};

// performance.now() counts from the process's start, so `bootMs` is Node's own start-up.
const bootMs = performance.now();
// CPU time (user + system, every thread) of import + invoke: unlike wall time, it does not grow
// while the process waits for a core on a loaded machine, so it tells the code's own cost apart.
const bootCpu = process.cpuUsage();
const handlerModule = await import(pathToFileURL(bundle).href);
const imported = performance.now();
let status;
try {
  const result = await handlerModule.handler(JSON.parse(eventJson), lambdaContext);
  status = result?.statusCode ?? (result?.principalId ? 'allow' : 'ok');
} catch (error) {
  status = `threw: ${error?.message ?? error}`;
}
const invoked = performance.now();
const cpu = process.cpuUsage(bootCpu);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(`${JSON.stringify({ bootMs, importMs: imported - bootMs, invokeMs: invoked - imported, cpuMs, status })}\n`);
// The SDK's keep-alive sockets would hold the process open; the measurement is done.
process.exit(0);
