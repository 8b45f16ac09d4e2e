#!/usr/bin/env node
/**
 * The restore drill (the last step of `npm run demo`, or alone after it):
 *
 *   1. start the demo servers again (quiet: they write nothing while the drill runs)
 *   2. what must come back: every file of Mail1's newest archive (SHA-256 from its
 *      manifest) and Cat1's Engineering folder (Cat2's replica source), hashed now
 *   3. the crash: Mail1's data folder is wiped, Cat2 loses its Engineering folder
 *   4. backplan restore --server Mail1            (from tape: the newest archive)
 *      backplan restore --server Cat2             (from replica: Cat1 holds every folder)
 *   5. SHA-256 of every file on disk, side by side with step 2: every file back, identical
 *   6. stop the servers
 * Exit code: 0 when every file is back and identical, else 1.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const cli = path.join(repo, 'packages', 'cli', 'dist', 'backplan.mjs');
const scratch = path.join(here, '.scratch');
const runbook = path.join(scratch, 'demo.backplan');
const state = path.join(scratch, 'state');
const bin = path.join(scratch, 'bin');
const env = { ...process.env, DEMO_APP_INTERVAL_MS: '3600000' };
const bold = process.stdout.isTTY && !process.env.NO_COLOR ? t => `\u001b[1m${t}\u001b[0m` : t => t;
const rel = p => path.relative(process.cwd(), p) || '.';

if (!fs.existsSync(runbook) || !fs.existsSync(path.join(scratch, 'tape', 'archives'))) {
    console.error('restore-drill: run `npm run demo` first (it backs up the demo servers this drill restores)');
    process.exit(2);
}
const servers = [
    { name: 'Mail1', role: 'mail', dir: path.join(scratch, 'servers', 'mail1') },
    { name: 'Cat1', role: 'catalog', dir: path.join(scratch, 'servers', 'cat1') },
    { name: 'Cat2', role: 'catalog', dir: path.join(scratch, 'servers', 'cat2') }
];
const watched = [
    { label: 'Mail1', dir: servers[0].dir, source: 'its newest archive' },
    { label: 'Cat2/Engineering', dir: path.join(servers[2].dir, 'Engineering'), source: 'Cat1/Engineering' }
];

/** path → SHA-256 of every file of Mail1's newest archive, from its manifest. */
function newestMailArchive() {
    const dir = path.join(scratch, 'tape', 'archives');
    const name = fs.readdirSync(dir).filter(n => /-Mail1-\w+\.manifest\.json$/.test(n)).sort().at(-1);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
    const out = new Map();
    for (const e of manifest.entries) {
        if (e.type === 'file') out.set(e.path, e.sha256);
        else if (e.type === 'symlink') out.set(e.path, `-> ${e.linkTarget}`);
    }
    return { id: manifest.id, files: out };
}

function run(title, file, args) {
    console.log(`\n${bold(`$ ${title}`)}`);
    return spawnSync(file, args, { stdio: 'inherit', env }).status ?? 1;
}

/** path → SHA-256 of every regular file below a folder (symlinks as their target text). */
function hashes(dir) {
    const out = new Map();
    const walk = relDir => {
        const abs = path.join(dir, relDir);
        if (!fs.existsSync(abs)) return;
        for (const name of fs.readdirSync(abs).sort()) {
            const r = relDir ? `${relDir}/${name}` : name;
            const st = fs.lstatSync(path.join(dir, r));
            if (st.isDirectory()) walk(r);
            else if (st.isSymbolicLink()) out.set(r, `-> ${fs.readlinkSync(path.join(dir, r))}`);
            else out.set(r, createHash('sha256').update(fs.readFileSync(path.join(dir, r))).digest('hex'));
        }
    };
    walk('');
    return out;
}

let failed = 0;
try {
    for (const s of servers) {
        if (run(`demo-app start   # ${s.name}`, path.join(bin, 'demo-app'), ['start', '--data', s.dir, '--role', s.role]) !== 0) throw new Error(`${s.name} did not start`);
    }
    const mail = newestMailArchive();
    watched[0].source = `archive ${mail.id}`;
    const before = [mail.files, hashes(path.join(servers[1].dir, 'Engineering'))];
    console.log(`\n${bold('# the crash:')} wiping ${rel(servers[0].dir)} and ${rel(watched[1].dir)}`);
    fs.rmSync(servers[0].dir, { recursive: true, force: true });
    fs.mkdirSync(servers[0].dir);
    fs.rmSync(watched[1].dir, { recursive: true, force: true });
    for (const [i, w] of watched.entries()) console.log(`  ${w.label}: ${hashes(w.dir).size} of ${before[i].size} files left`);

    for (const server of ['Mail1', 'Cat2']) {
        const code = run(`backplan restore ${rel(runbook)} --server ${server} --state ${rel(state)}`, process.execPath, [cli, 'restore', runbook, '--server', server, '--state', state]);
        if (code !== 0) failed ||= code;
    }

    console.log(`\n${bold('# SHA-256: what had to come back, and what is on disk after the restore')}`);
    for (const [i, w] of watched.entries()) {
        const after = hashes(w.dir);
        let same = 0;
        const bad = [];
        for (const [file, sha] of before[i]) {
            if (after.get(file) === sha) same++;
            else bad.push(`${file}: ${after.has(file) ? 'DIFFERS' : 'MISSING'}`);
        }
        const extra = [...after.keys()].filter(f => !before[i].has(f));
        const shown = [...before[i]].slice(0, 3);
        console.log(`  ${w.label} (from ${w.source}):`);
        for (const [file, sha] of shown) console.log(`    ${file.padEnd(24)} expected ${sha.slice(0, 16)}…  on disk ${(after.get(file) ?? 'missing').slice(0, 16)}…  ${after.get(file) === sha ? 'same' : 'DIFFERENT'}`);
        console.log(`    ${same} of ${before[i].size} files identical${bad.length ? `; ${bad.slice(0, 5).join('; ')}` : ''}${extra.length ? `; extra: ${extra.slice(0, 5).join(', ')}` : ''}`);
        if (bad.length || extra.length) failed ||= 1;
    }
} catch (err) {
    console.error(`restore-drill: ${err.message}`);
    failed ||= 1;
} finally {
    for (const s of servers) run(`demo-app stop    # ${s.name}`, path.join(bin, 'demo-app'), ['stop', '--data', s.dir, '--role', s.role]);
}
console.log(failed ? `\nrestore-drill: FAILED (exit ${failed})` : '\nrestore-drill: every file is back, byte for byte');
process.exit(failed);
