/**
 * Checks the picture tests share: an SVG is well-formed XML (real `xmllint`) and
 * self-contained (no script, no event handler, no reference out of the file).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { expect } from 'vitest';

/** Whether a program is on the PATH. */
export function hasProgram(name: string): boolean {
    return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** Fails unless the SVG parses as XML and references nothing outside itself. */
export function expectSelfContainedSvg(svg: string): void {
    expect(hasProgram('xmllint'), 'xmllint is needed: apt-get install -y libxml2-utils').toBe(true);
    execFileSync('xmllint', ['--noout', '-'], { input: svg });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).not.toMatch(/<script|<foreignObject|\son[a-z]+=|@import|<image/i);
    // The namespace is a name, not a reference; nothing else may point out of the file.
    expect(svg.replace('xmlns="http://www.w3.org/2000/svg"', '')).not.toMatch(/https?:|href=|url\((?!#)/i);
    // Readable in light and dark: an explicit background, and dark colours in the style sheet.
    expect(svg).toMatch(/<rect class="bg"/);
    expect(svg).toContain('@media (prefers-color-scheme: dark)');
}

/** Escapes text as the SVG writer does, to find it in the SVG. */
export function xmlText(text: string): string {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
