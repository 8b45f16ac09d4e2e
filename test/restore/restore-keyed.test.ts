/**
 * Authenticated tapes (issue 13.12, DESIGN §13): with `key-file`, every manifest written
 * carries an HMAC-SHA256 over its exact bytes (`ID.manifest.hmac`), and verify and restore
 * trust no manifest without a valid one. An archive forged on the tape with a matching
 * manifest, or a real manifest edited, is refused naming the tape; restore takes the newest
 * archive whose manifest is authentic. A key file that cannot be read stops nothing.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace } from '../helpers/run-cli.js';
import { forgeArchive, Lab, snapshot, tarOf } from './lab.js';

let lab: Lab;
let keyFile: string;
let realId: string;
const archives = (): string => path.join(lab.tape, 'archives');

beforeAll(async () => {
    lab = new Lab([{ name: 'Mail1', role: 'mail' }], []);
    keyFile = path.join(lab.root, 'vault.key');
    fs.writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
    const text = fs.readFileSync(lab.runbook, 'utf8');
    fs.writeFileSync(lab.runbook, text.replace(`at "${lab.tape}"`, `at "${lab.tape}" key-file "${keyFile}"`));
    fs.writeFileSync(path.join(lab.data('Mail1'), 'inbox.txt'), 'the real mail\n');
    expect(lab.app('start', 'Mail1')).toBe(0);
    const b = await lab.cli('backup');
    expect(b.code, b.stderr).toBe(0);
    realId = fs.readdirSync(archives()).find(n => n.endsWith('.manifest.json'))!.replace('.manifest.json', '');
});
afterAll(() => lab.dispose());

describe('a tape with key-file', () => {
    it('backup writes a MAC beside the manifest; verify accepts it', async () => {
        expect(fs.readFileSync(path.join(archives(), `${realId}.manifest.hmac`), 'utf8')).toMatch(/^hmac-sha256:[0-9a-f]{64}\n$/);
        const v = await lab.cli('verify', ['--archive', realId]);
        expect(v.code, v.stdout + v.stderr).toBe(0);
    });

    it('a forged archive with a matching manifest but no MAC is refused naming the tape; restore takes the authentic one', async () => {
        const forged = forgeArchive(lab, 'Mail1', tarOf([{ name: './', type: '5' }, { name: './inbox.txt', text: 'forged mail\n' }]));
        const v = await lab.cli('verify', ['--archive', forged]);
        expect(v.code).toBe(1);
        expect(v.stdout + v.stderr).toMatch(new RegExp(`the manifest of ${forged} on tape Tape has no MAC`));
        fs.writeFileSync(path.join(archives(), `${forged}.manifest.hmac`), `hmac-sha256:${'0'.repeat(64)}\n`);
        const w = await lab.cli('verify', ['--archive', forged]);
        expect(w.code).toBe(1);
        expect(w.stdout + w.stderr).toMatch(/on tape Tape does not match its MAC/);

        fs.writeFileSync(path.join(lab.data('Mail1'), 'inbox.txt'), 'changed since\n');
        const r = await lab.cli('restore', ['--server', 'Mail1']);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(r.stdout + r.stderr).toContain(realId);
        expect(r.stdout + r.stderr).not.toContain(forged);
        expect(fs.readFileSync(path.join(lab.data('Mail1'), 'inbox.txt'), 'utf8')).toBe('the real mail\n');
        for (const ext of ['.manifest.json', '.manifest.hmac', '.tar.zst']) fs.rmSync(path.join(archives(), `${forged}${ext}`));
    });

    it('recover of a lost server ignores a forged newer archive and restores the authentic one', async () => {
        const forged = forgeArchive(lab, 'Mail1', tarOf([{ name: './', type: '5' }, { name: './inbox.txt', text: 'forged mail\n' }]));
        fs.rmSync(lab.data('Mail1'), { recursive: true, force: true });
        fs.mkdirSync(lab.data('Mail1'));
        const r = await lab.cli('recover', ['--lost', 'Mail1']);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(r.stdout + r.stderr).toContain(realId);
        expect(r.stdout + r.stderr).not.toContain(forged);
        expect(fs.readFileSync(path.join(lab.data('Mail1'), 'inbox.txt'), 'utf8')).toBe('the real mail\n');
        expect(lab.running('Mail1')).toBe(true);
        for (const ext of ['.manifest.json', '.tar.zst']) fs.rmSync(path.join(archives(), `${forged}${ext}`));
    });

    it('a real manifest edited by hand no longer matches its MAC', async () => {
        const file = path.join(archives(), `${realId}.manifest.json`);
        const original = fs.readFileSync(file);
        fs.writeFileSync(file, original.toString().replace('"policy":"B0"', '"policy":"B1"'));
        const v = await lab.cli('verify', ['--archive', realId]);
        expect(v.code).toBe(1);
        expect(v.stdout + v.stderr).toMatch(/does not match its MAC: refused, it was changed or forged/);
        fs.writeFileSync(file, original);
    });

    it('an old authentic archive renamed to a newer ID is refused', async () => {
        const newer = realId.replace(/^\d{4}/, y => String(Number(y) + 1));
        for (const ext of ['.manifest.json', '.manifest.hmac', '.tar.zst']) fs.copyFileSync(path.join(archives(), `${realId}${ext}`), path.join(archives(), `${newer}${ext}`));
        const v = await lab.cli('verify', ['--archive', newer]);
        expect(v.code).toBe(1);
        expect(v.stdout + v.stderr).toMatch(new RegExp(`is that of ${realId}: refused \\(renamed\\)`));
        for (const ext of ['.manifest.json', '.manifest.hmac', '.tar.zst']) fs.rmSync(path.join(archives(), `${newer}${ext}`));
    });

    it('a key file that is missing or too short: backup stops nothing, says why', async () => {
        const before = snapshot(lab.data('Mail1'));
        for (const [content, why] of [[undefined, /key-file .* cannot be read/], [Buffer.from('short'), /holds 5 bytes; use at least 16/]] as const) {
            if (content === undefined) fs.rmSync(keyFile); else fs.writeFileSync(keyFile, content);
            lab.clearEvents();
            const b = await lab.cli('backup');
            expect(b.code).toBe(1);
            expect(b.stdout + b.stderr).toMatch(why);
            expect(hasStackTrace(b.stderr)).toBe(false);
            expect(lab.eventLines()).toEqual([]);
        }
        expect(snapshot(lab.data('Mail1'))).toEqual(before);
        expect(lab.running('Mail1')).toBe(true);
    });
});
