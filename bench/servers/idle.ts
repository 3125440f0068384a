// The memory baseline: a Node process started as the gateway and the simulator are (with tsx), doing nothing.
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
setInterval(() => undefined, 1000);
