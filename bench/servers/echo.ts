// The ceiling of the gateway's UDP path: a raw Node dgram echo on the same kind of socket, nothing else.
import { createSocket } from 'node:dgram';

const socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
socket.on('message', (bytes, from) => socket.send(bytes, from.port, from.address));
socket.bind(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ ready: true, port: socket.address().port })}\n`);
});
const stop = () => socket.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
