#!/usr/bin/env node
// ssh ProxyCommand for tests: `node throttle-proxy.mjs HOST PORT BYTES_PER_SECOND`.
// Relays stdin/stdout to HOST:PORT (loopback only) and slows the server → client
// direction, so a test can act in the middle of a stream (kill sshd mid-archive).
import { connect } from 'node:net';

const [host, port, rate] = process.argv.slice(2);
if (!/^127\./.test(host)) { process.stderr.write('throttle-proxy: loopback only\n'); process.exit(2); }
const bytesPerSecond = Number(rate) || 1_000_000;
const socket = connect(Number(port), host);
process.stdin.pipe(socket);
socket.on('data', chunk => {
    socket.pause();
    process.stdout.write(chunk, () => setTimeout(() => socket.resume(), (chunk.length / bytesPerSecond) * 1000));
});
socket.on('end', () => process.stdout.end(() => process.exit(0)));
socket.on('error', err => { process.stderr.write(`throttle-proxy: ${err.message}\n`); process.exit(1); });
process.stdin.on('end', () => socket.end());
