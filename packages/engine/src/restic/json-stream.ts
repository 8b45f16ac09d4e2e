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

/** The state machine behind readJsonObjects. */
class ObjectScanner {
    private level = 0;
    private inString = false;
    private escaped = false;
    /** Text of the object being collected (undefined: none open at the wanted depth). */
    private current: string[] | undefined;

    constructor(private readonly depth: number, private readonly onValue: (value: unknown) => void) {}

    push(text: string): void {
        let from = 0;
        for (let i = 0; i < text.length; i++) {
            const c = text[i];
            if (this.inString) {
                if (this.escaped) this.escaped = false;
                else if (c === '\\') this.escaped = true;
                else if (c === '"') this.inString = false;
                continue;
            }
            if (c === '"') this.inString = true;
            else if (c === '{' || c === '[') {
                if (c === '{' && this.level === this.depth) { this.current = []; from = i; }
                this.level++;
            } else if (c === '}' || c === ']') {
                this.level--;
                if (this.level < 0) throw new Error('unbalanced brackets in JSON output');
                if (c === '}' && this.level === this.depth && this.current) {
                    this.current.push(text.slice(from, i + 1));
                    this.emit(this.current.join(''));
                    this.current = undefined;
                }
            }
        }
        if (this.current) this.current.push(text.slice(from));
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
