/**
 * restic's JSON output, read as it streams (a listing of a large snapshot is too big to
 * hold as one string, and its entries are wanted one at a time).
 *
 *   readJsonLines   one JSON value per line (`backup --json`, `ls --json`): each parsed
 *                   line is handed on; an empty line is skipped
 *   readJsonObjects the objects that open at one nesting depth of a single JSON document
 *                   (`find --json` prints `[{"matches":[{…},{…}],…}]`: the entries open at
 *                   depth 3): a scanner that tracks strings, escapes and brackets, and
 *                   parses each such object alone
 */
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import type { StdoutReader } from './restic-command.js';

/** Hands each line's JSON value to `onValue`; a line that is not JSON rejects. */
export function readJsonLines(onValue: (value: unknown) => void): StdoutReader<void> {
    return async stdout => {
        const lines = createInterface({ input: stdout, crlfDelay: Infinity });
        for await (const line of lines) {
            if (line.trim() === '') continue;
            try {
                onValue(JSON.parse(line));
            } catch (err) {
                if (err instanceof SyntaxError) throw new Error(`a line that is not JSON: ${JSON.stringify(line.slice(0, 120))}`);
                throw err;
            }
        }
    };
}

/** Scans one JSON document and hands on every object that opens at `depth` (0: the document itself). */
export function readJsonObjects(depth: number, onValue: (value: unknown) => void): StdoutReader<void> {
    return async stdout => {
        const decoder = new StringDecoder('utf8');
        const scanner = new ObjectScanner(depth, onValue);
        for await (const chunk of stdout) scanner.push(decoder.write(chunk as Buffer));
        scanner.push(decoder.end());
        scanner.end();
    };
}

const [QUOTE, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET] = [...'"{}[]'].map(c => c.charCodeAt(0));

/** The state machine behind readJsonObjects. */
class ObjectScanner {
    private level = 0;
    private inString = false;
    private escaped = false;
    /** The next backslash in the chunk being scanned (-1: none; -2: not looked for yet). */
    private slash = -2;
    /** Text of the object being collected (undefined: none open at the wanted depth). */
    private current: string[] | undefined;

    constructor(private readonly depth: number, private readonly onValue: (value: unknown) => void) {}

    push(text: string): void {
        let from = 0;
        let i = 0;
        this.slash = -2;
        if (this.inString) i = this.skipString(text, 0) + 1;
        for (; i < text.length; i++) {
            const c = text.charCodeAt(i);
            if (c === QUOTE) {
                this.inString = true;
                i = this.skipString(text, i + 1);
            } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
                if (c === OPEN_BRACE && this.level === this.depth) { this.current = []; from = i; }
                this.level++;
            } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
                this.level--;
                if (this.level < 0) throw new Error('unbalanced brackets in JSON output');
                if (c === CLOSE_BRACE && this.level === this.depth && this.current) {
                    this.current.push(text.slice(from, i + 1));
                    this.emit(this.current.join(''));
                    this.current = undefined;
                }
            }
        }
        if (this.current) this.current.push(text.slice(from));
    }

    /** Inside a string from `at`: the index of its closing quote (the string closed), or past the text (still open). */
    private skipString(text: string, at: number): number {
        let i = at;
        if (this.escaped) { this.escaped = false; i++; }
        for (;;) {
            const quote = text.indexOf('"', i);
            if (this.slash !== -1 && this.slash < i) this.slash = text.indexOf('\\', i); // kept: most text has none
            const slash = this.slash;
            if (slash !== -1 && (quote === -1 || slash < quote)) {
                if (slash + 1 >= text.length) { this.escaped = true; return text.length; } // escapes the next chunk's first character
                i = slash + 2;
                continue;
            }
            if (quote === -1) return text.length;
            this.inString = false;
            return quote;
        }
    }

    end(): void {
        if (this.level !== 0 || this.inString) throw new Error('JSON output ended in the middle of a value');
    }

    private emit(text: string): void {
        try {
            this.onValue(JSON.parse(text));
        } catch (err) {
            if (err instanceof SyntaxError) throw new Error(`an entry that is not JSON: ${JSON.stringify(text.slice(0, 120))}`);
            throw err;
        }
    }
}
