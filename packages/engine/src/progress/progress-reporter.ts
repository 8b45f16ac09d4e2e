/**
 * Progress on stderr. On a TTY: one live line per active server (bytes, rate, ETA),
 * redrawn at most 10 times a second, with notices printed above them. Elsewhere: plain
 * lines, one per step, and a progress line at most every 10 s per server. Results never
 * go here: they go to stdout.
 */

export interface Reporter {
    /** A line for the user (warnings, lock waits, recovery). */
    notice(message: string): void;
    /** A server moved to a new step (`stopping`, `archiving`, `starting`…). */
    step(server: string, text: string): void;
    /** Bytes of the tar stream so far; `total` is an estimate (the previous archive). */
    bytes(server: string, bytes: number, total?: number): void;
    /** The server is finished: drop its live line. */
    end(server: string, text: string): void;
    close(): void;
}

interface Live { text: string; bytes: number; total?: number; started: number; lastPlain: number }

/** Human-readable bytes. */
export function formatBytes(n: number): string {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    let v = n;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function rateText(l: Live): string {
    const secs = (Date.now() - l.started) / 1000;
    if (secs <= 0 || l.bytes === 0) return formatBytes(l.bytes);
    const rate = l.bytes / secs;
    let text = `${formatBytes(l.bytes)} at ${formatBytes(rate)}/s`;
    if (l.total && l.total > l.bytes) text += `, ETA ${Math.ceil((l.total - l.bytes) / rate)} s`;
    return text;
}

/** A reporter for a stream; live lines when it is a TTY. */
export function createReporter(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, options: { live?: boolean } = {}): Reporter {
    const live = options.live ?? stream.isTTY === true;
    const lines = new Map<string, Live>();
    let drawn = 0;
    let lastDraw = 0;
    const clear = (): void => {
        if (!live || drawn === 0) return;
        stream.write(`\u001b[${drawn}A\u001b[J`);
        drawn = 0;
    };
    const draw = (force = false): void => {
        if (!live) return;
        const now = Date.now();
        if (!force && now - lastDraw < 100) return;
        lastDraw = now;
        clear();
        const width = Math.max(40, (stream.columns || 80) - 1);
        for (const [server, l] of lines) {
            const text = l.bytes > 0 ? `${server}: ${l.text} ${rateText(l)}` : `${server}: ${l.text}`;
            stream.write(text.slice(0, width) + '\n');
            drawn++;
        }
    };
    const entry = (server: string): Live => {
        let l = lines.get(server);
        if (!l) lines.set(server, l = { text: '', bytes: 0, started: Date.now(), lastPlain: Date.now() });
        return l;
    };
    return {
        notice(message) {
            clear();
            stream.write(message + '\n');
            draw(true);
        },
        step(server, text) {
            const l = entry(server);
            l.text = text;
            if (text.startsWith('archiving')) { l.started = Date.now(); l.bytes = 0; }
            if (live) draw(true);
            else stream.write(`${server}: ${text}\n`);
        },
        bytes(server, bytes, total) {
            const l = entry(server);
            l.bytes = bytes;
            l.total = total;
            if (live) draw();
            else if (Date.now() - l.lastPlain >= 10_000) {
                l.lastPlain = Date.now();
                stream.write(`${server}: ${rateText(l)}\n`);
            }
        },
        end(server, text) {
            lines.delete(server);
            clear();
            stream.write(`${server}: ${text}\n`);
            draw(true);
        },
        close() {
            clear();
            lines.clear();
        }
    };
}

/** A reporter that says nothing (tests, library use). */
export const silentReporter: Reporter = { notice() {}, step() {}, bytes() {}, end() {}, close() {} };
