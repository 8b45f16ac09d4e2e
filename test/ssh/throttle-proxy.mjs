#!/usr/bin/env node
// ssh ProxyCommand for tests: `node throttle-proxy.mjs HOST PORT BYTES_PER_SECOND`.
// Relays stdin/stdout to HOST:PORT (loopback only) at about BYTES_PER_SECOND in each
// direction, so a test can act in the middle of a stream (kill sshd mid-archive or
// mid-restore).
import { connect } from 'node:net';

const [host, port, rate] = process.argv.slice(2);
if (!/^127\./.test(host)) { process.stderr.write('throttle-proxy: loopback only\n'); process.exit(2); }
const bytesPerSecond = Number(rate) || 1_000_000;
const socket = connect(Number(port), host);

/** Copies `from` to `to`, pausing after each chunk for as long as it takes at the rate. */
function throttle(from, to) {
    from.on('data', chunk => {
        from.pause();
        to.write(chunk, () => setTimeout(() => from.resume(), (chunk.length / bytesPerSecond) * 1000));
    });
}
throttle(socket, process.stdout);
throttle(process.stdin, socket);
socket.on('end', () => process.stdout.end(() => process.exit(0)));
socket.on('error', err => { process.stderr.write(`throttle-proxy: ${err.message}\n`); process.exit(1); });
process.stdin.on('end', () => socket.end());
