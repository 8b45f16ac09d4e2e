/**
 * The example runbooks as test inputs: every `.backplan` below examples/ (valid and broken),
 * grouped so that the files of a split runbook stay together.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The examples folder of the repository. */
export const EXAMPLES = path.resolve(__dirname, '../../examples');

/** One example runbook: its files (relative name → text). */
export interface ExampleRunbook {
    readonly name: string;
    readonly files: Record<string, string>;
}

/** Every example folder's runbooks: a folder of one runbook split over files is one entry. */
export function exampleRunbooks(): ExampleRunbook[] {
    const result: ExampleRunbook[] = [];
    const visit = (dir: string) => {
        const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
        const files = entries.filter(e => e.isFile() && e.name.endsWith('.backplan'));
        const texts = Object.fromEntries(files.map(f => [f.name, readFileSync(path.join(dir, f.name), 'utf8')]));
        // Files that import each other form one runbook; other files stand alone.
        const linked = files.some(f => files.some(g => texts[f.name].includes(`import "${g.name}"`)));
        if (linked) {
            result.push({ name: path.relative(EXAMPLES, dir), files: texts });
        } else {
            for (const f of files) result.push({ name: path.relative(EXAMPLES, path.join(dir, f.name)), files: { [f.name]: texts[f.name] } });
        }
        for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') visit(path.join(dir, e.name));
    };
    visit(EXAMPLES);
    return result;
}
