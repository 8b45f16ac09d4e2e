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

type ReporterStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** The live lines at the bottom of a terminal, one per server: redrawn in place, at most every 100 ms unless forced. */
class LiveBoard {
    readonly lines = new Map<string, Live>();
    private drawn = 0;
    private lastDraw = 0;

    constructor(private readonly stream: ReporterStream, readonly live: boolean) {}

    clear(): void {
        if (!this.live || this.drawn === 0) return;
        this.stream.write(`\u001b[${this.drawn}A\u001b[J`);
        this.drawn = 0;
    }

    draw(force = false): void {
        if (!this.live) return;
        const now = Date.now();
        if (!force && now - this.lastDraw < 100) return;
        this.lastDraw = now;
        this.clear();
        const width = Math.max(40, (this.stream.columns || 80) - 1);
        for (const [server, l] of this.lines) {
            const text = l.bytes > 0 ? `${server}: ${l.text} ${rateText(l)}` : `${server}: ${l.text}`;
            this.stream.write(text.slice(0, width) + '\n');
            this.drawn++;
        }
    }

    /** A line printed above the live ones. */
    print(text: string): void {
        this.clear();
        this.stream.write(text + '\n');
        this.draw(true);
    }

    entry(server: string): Live {
        let l = this.lines.get(server);
        if (!l) this.lines.set(server, l = { text: '', bytes: 0, started: Date.now(), lastPlain: Date.now() });
        return l;
    }
}

/** A reporter for a stream; live lines when it is a TTY. */
export function createReporter(stream: ReporterStream, options: { live?: boolean } = {}): Reporter {
    const board = new LiveBoard(stream, options.live ?? stream.isTTY === true);
    return {
        notice(message) {
            board.print(message);
        },
        step(server, text) {
            const l = board.entry(server);
            l.text = text;
            if (text.startsWith('archiving')) { l.started = Date.now(); l.bytes = 0; }
            if (board.live) board.draw(true);
            else stream.write(`${server}: ${text}\n`);
        },
        bytes(server, bytes, total) {
            const l = board.entry(server);
            l.bytes = bytes;
            l.total = total;
            if (board.live) board.draw();
            else if (Date.now() - l.lastPlain >= 10_000) {
                l.lastPlain = Date.now();
                stream.write(`${server}: ${rateText(l)}\n`);
            }
        },
        end(server, text) {
            board.lines.delete(server);
            board.print(`${server}: ${text}`);
        },
        close() {
            board.clear();
            board.lines.clear();
        }
    };
}

/** A reporter that says nothing (tests, library use). */
export const silentReporter: Reporter = { notice() {}, step() {}, bytes() {}, end() {}, close() {} };
