// Preloaded (NODE_OPTIONS=--import=…) into a process the bench measures. Every second it prints its memory
// figures on stderr. With BENCH_PROFILE_DIR set, SIGUSR2 starts the CPU profiler and the next SIGUSR2 writes
// the profile there; then, if the process runs with --expose-gc, it collects garbage and prints the live heap.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const mb = (bytes) => Math.round(bytes / 1e5) / 10;
const report = (extra = {}) => {
  const usage = process.memoryUsage();
  process.stderr.write(
    `${JSON.stringify({ benchMemory: { rssMb: mb(usage.rss), heapUsedMb: mb(usage.heapUsed), heapTotalMb: mb(usage.heapTotal), externalMb: mb(usage.external), ...extra } })}\n`,
  );
};
setInterval(report, 1000).unref();

const profileDir = process.env.BENCH_PROFILE_DIR;
if (profileDir) {
  const session = new Session();
  session.connect();
  let running = false;
  let written = 0;
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')));
      return;
    }
    running = false;
    session.post('Profiler.stop', (error, result) => {
      // Named as node --cpu-prof names them (thread 0), so bench/profile.ts reads both alike.
      if (!error) writeFileSync(join(profileDir, `CPU.0.0.${process.pid}.0.${String(++written).padStart(3, '0')}.cpuprofile`), JSON.stringify(result.profile));
      if (typeof globalThis.gc === 'function') {
        globalThis.gc();
        report({ afterGc: true });
      }
    });
  });
}
