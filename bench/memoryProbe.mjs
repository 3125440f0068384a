// Loaded with NODE_OPTIONS=--import=… into a process the bench measures: its memory figures on stderr every second.
const mb = (bytes) => Math.round(bytes / 1e5) / 10;
const timer = setInterval(() => {
  const usage = process.memoryUsage();
  process.stderr.write(
    `${JSON.stringify({ benchMemory: { rssMb: mb(usage.rss), heapUsedMb: mb(usage.heapUsed), heapTotalMb: mb(usage.heapTotal), externalMb: mb(usage.external) } })}\n`,
  );
}, 1000);
timer.unref();
