/**
 * Output helpers: colour only on a terminal and never with NO_COLOR.
 */

/** Whether to colour text written to the given stream. */
export function useColor(stream: NodeJS.WriteStream): boolean {
    if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
    if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
    return stream.isTTY === true;
}

const CODES = { red: 31, yellow: 33, cyan: 36, dim: 2, bold: 1, green: 32 } as const;

/** A colouring function for one stream. */
export type Paint = (style: keyof typeof CODES, text: string) => string;

/** Returns a painter that colours only when the stream should be coloured. */
export function painter(stream: NodeJS.WriteStream): Paint {
    const on = useColor(stream);
    return (style, text) => on ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text;
}
