/**
 * A real HTTP server on 127.0.0.1 for the notification tests: it records every request
 * (method, path, headers, body) and answers by the path's first segment:
 *   /hang/…  never answers (the socket stays open until the server closes)
 *   /500/…   answers 500
 *   else     answers 200
 * `next(n)` resolves once n requests have arrived in all: tests wait for the event, never
 * for time.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it arrived. */
export interface Received {
    method: string;
    path: string;
    headers: http.IncomingHttpHeaders;
    body: string;
}

export class HookServer {
    readonly received: Received[] = [];
    private waiters: Array<{ count: number; resolve: () => void }> = [];
    private readonly server: http.Server;

    private constructor() {
        this.server = http.createServer((req, res) => {
            let body = '';
            req.setEncoding('utf8');
            req.on('data', (c: string) => { body += c; });
            req.on('end', () => {
                this.received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
                this.waiters = this.waiters.filter(w => this.received.length < w.count || (w.resolve(), false));
                const first = (req.url ?? '').split('/')[1];
                if (first === 'hang') return;
                res.writeHead(first === '500' ? 500 : 200, { 'content-type': 'text/plain' });
                res.end(first === '500' ? 'boom' : 'OK');
            });
        });
    }

    /** Starts a server on a free loopback port. */
    static async start(): Promise<HookServer> {
        const s = new HookServer();
        await new Promise<void>(resolve => s.server.listen(0, '127.0.0.1', resolve));
        return s;
    }

    /** The URL of a path on this server. */
    url(p: string): string {
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${p}`;
    }

    /** Requests to paths starting with `prefix`, in arrival order. */
    at(prefix: string): Received[] {
        return this.received.filter(r => r.path.startsWith(prefix));
    }

    /** Resolves once `count` requests have arrived in all. */
    next(count: number): Promise<void> {
        if (this.received.length >= count) return Promise.resolve();
        return new Promise(resolve => this.waiters.push({ count, resolve }));
    }

    /** Closes the server and every connection (hanging ones too). */
    async close(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>(resolve => this.server.close(() => resolve()));
    }
}
