/**
 * What the pictures' SVG writers share: escaping, text measured without a font engine
 * (a monospace font at a fixed size: every character is 0.6 em wide), line wrapping, and
 * the style sheet that makes a picture readable in light and dark themes.
 *
 * The SVG is self-contained: no script, no external reference (fonts are system fonts,
 * arrowheads and patterns are in <defs>). Colours are given twice: as presentation
 * attributes (for renderers that ignore <style>: a light picture) and in the style sheet,
 * where `prefers-color-scheme: dark` swaps them.
 */

/** Font size of normal text, in px. */
export const FONT_SIZE = 12;
/** Width of one character of the monospace font at {@link FONT_SIZE}. */
export const CHAR_WIDTH = FONT_SIZE * 0.6;
/** Height of one line of text. */
export const LINE_HEIGHT = 16;

/** Escapes text for an XML text node or attribute value. */
export function xml(text: string): string {
    return text.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&apos;' })[c]!)
        // Characters XML 1.0 forbids even escaped (a name can hold none, but a path or host can).
        // eslint-disable-next-line no-control-regex
        .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd');
}

/** Width in px of a line of text. */
export function textWidth(text: string): number {
    return [...text].length * CHAR_WIDTH;
}

/** Splits text into lines of at most `width` characters, at spaces where it can. */
export function wrap(text: string, width: number): string[] {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(/\s+/).filter(Boolean)) {
        if (line && line.length + 1 + word.length > width) {
            lines.push(line);
            line = '';
        }
        let rest = word;
        while (rest.length > width) {
            if (line) { lines.push(line); line = ''; }
            lines.push(rest.slice(0, width));
            rest = rest.slice(width);
        }
        line = line ? `${line} ${rest}` : rest;
    }
    if (line) lines.push(line);
    return lines;
}

/** A number for an SVG attribute: at most one decimal. */
export function num(value: number): string {
    return String(Math.round(value * 10) / 10);
}

/** The light and dark colours of each class the pictures use. */
const PALETTE = {
    light: { bg: '#ffffff', fg: '#1f2328', muted: '#57606a', box: '#f6f8fa', line: '#57606a', accent: '#0969da', problem: '#cf222e', problemBg: '#ffebe9', ok: '#1a7f37', okBg: '#dafbe1', warn: '#9a6700', warnBg: '#fff8c5' },
    dark: { bg: '#0d1117', fg: '#e6edf3', muted: '#9198a1', box: '#161b22', line: '#9198a1', accent: '#4493f8', problem: '#ff7b72', problemBg: '#3d1214', ok: '#3fb950', okBg: '#12261e', warn: '#d29922', warnBg: '#2e2210' }
} as const;

export type PaletteColour = keyof typeof PALETTE.light;

/** A light-theme colour, for presentation attributes. */
export function colour(name: PaletteColour): string {
    return PALETTE.light[name];
}

function rules(p: Record<PaletteColour, string>): string {
    return [
        `.bg{fill:${p.bg}}`,
        `text{fill:${p.fg}}`, `.muted{fill:${p.muted}}`, `.problem-text{fill:${p.problem}}`,
        `.box{fill:${p.box};stroke:${p.line}}`, `.frame{fill:none;stroke:${p.muted}}`,
        `.edge{stroke:${p.line}}`, `.edge-backup{stroke:${p.accent}}`, `.arrow{fill:${p.line}}`, `.arrow-backup{fill:${p.accent}}`,
        `.problem{fill:${p.problemBg};stroke:${p.problem}}`, `.up-all{fill:${p.okBg};stroke:${p.ok}}`,
        `.up-some{fill:${p.warnBg};stroke:${p.warn}}`, `.window{fill:${p.accent};stroke:${p.accent}}`,
        `.estimated{fill:${p.box};stroke:${p.accent}}`, `.axis{stroke:${p.muted}}`
    ].join('');
}

/** The <style> element: light colours, then dark ones under `prefers-color-scheme: dark`. */
export function styleSheet(): string {
    const font = `text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:${FONT_SIZE}px}.label{font-weight:bold}`;
    return `<style>${font}${rules(PALETTE.light)}@media (prefers-color-scheme: dark){${rules(PALETTE.dark)}}</style>`;
}

/** The opening of a picture: the root element, its title, style sheet and background. */
export function svgOpen(width: number, height: number, title: string, defs = ''): string {
    const w = num(width);
    const h = num(height);
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${xml(title)}">`
        + `<title>${xml(title)}</title>${styleSheet()}${defs ? `<defs>${defs}</defs>` : ''}`
        + `<rect class="bg" x="0" y="0" width="${w}" height="${h}" fill="${colour('bg')}"/>`;
}

/** One line of text at (x, y) with a class (and its light colour as the fill attribute). */
export function textLine(x: number, y: number, text: string, cls = '', fill: PaletteColour = 'fg'): string {
    const c = cls ? ` class="${cls}"` : '';
    return `<text x="${num(x)}" y="${num(y)}"${c} fill="${colour(fill)}">${xml(text)}</text>`;
}
