/**
 * Seeded mutation of runbook texts for the fuzz tests: delete, duplicate, swap tokens,
 * truncate, insert random characters (or raw bytes, for files). The same seed always gives
 * the same mutants, so a failure can be replayed.
 */

/** A deterministic PRNG (mulberry32): numbers in [0, 1). */
export function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** The mutation kinds. */
export const MUTATIONS = ['delete', 'duplicate', 'swap', 'truncate', 'random'] as const;
export type Mutation = typeof MUTATIONS[number];

const TOKEN = /"(?:\\.|[^"\\\r\n])*"|\/\*[\s\S]*?\*\/|\/\/[^\n]*|[A-Za-z_][\w-]*|\d+|\s+|./g;
const NASTY = ['{', '}', '"', ',', ';', '/*', '*/', '//', '\\', '\n', '\r\n', '\t', '\u0000', '§', '😀', '\ud800', 'é', 'master', 'parallel 0', 'import "x.backplan"', '..', '/', 'on', 'servers', 'to', 'keep', '999999999999999999999'];

/** One mutation of a text. */
export function mutateOnce(text: string, kind: Mutation, random: () => number): string {
    const pick = (n: number) => Math.floor(random() * n);
    const tokens = text.match(TOKEN) ?? [];
    switch (kind) {
        case 'delete': {
            if (tokens.length === 0) return text;
            const at = pick(tokens.length);
            tokens.splice(at, 1 + pick(Math.min(5, tokens.length - at)));
            return tokens.join('');
        }
        case 'duplicate': {
            if (tokens.length === 0) return text;
            const from = pick(tokens.length);
            const slice = tokens.slice(from, from + 1 + pick(30));
            tokens.splice(pick(tokens.length + 1), 0, ...slice);
            return tokens.join('');
        }
        case 'swap': {
            if (tokens.length < 2) return text;
            const i = pick(tokens.length);
            const j = pick(tokens.length);
            [tokens[i], tokens[j]] = [tokens[j], tokens[i]];
            return tokens.join('');
        }
        case 'truncate':
            return text.slice(0, pick(text.length + 1));
        case 'random': {
            const at = pick(text.length + 1);
            const insert = random() < 0.5
                ? NASTY[pick(NASTY.length)]
                : String.fromCharCode(...Array.from({ length: 1 + pick(8) }, () => pick(256)));
            return text.slice(0, at) + insert + text.slice(at);
        }
    }
}

/** A mutant: one to three mutations of random kinds. */
export function mutate(text: string, random: () => number): { text: string; kinds: Mutation[] } {
    const kinds = Array.from({ length: 1 + Math.floor(random() * 3) }, () => MUTATIONS[Math.floor(random() * MUTATIONS.length)]);
    return { text: kinds.reduce((t, kind) => mutateOnce(t, kind, random), text), kinds };
}

/** Random bytes spliced into UTF-8 text: a file that need not be valid UTF-8. */
export function withRawBytes(text: string, random: () => number): Buffer {
    const bytes = Buffer.from(text, 'utf8');
    const at = Math.floor(random() * (bytes.length + 1));
    const noise = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 16) }, () => Math.floor(random() * 256)));
    return Buffer.concat([bytes.subarray(0, at), noise, bytes.subarray(at)]);
}
