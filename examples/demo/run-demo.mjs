#!/usr/bin/env node
/**
 * `npm run demo`: a real backup of three running demo servers on this machine.
 *
 *   1. fresh scratch folder examples/demo/.scratch (git-ignored): data folders, a
 *      `demo-app` wrapper in .scratch/bin, the runbook (its stop/start commands name that
 *      wrapper by its absolute path: no PATH needed), tape folder, state folder
 *   2. start the three servers (they keep writing while they run)
 *   3. backplan backup → backplan verify → backplan archives → backplan history
 *   4. stop the servers, whatever happened
 *   5. restore-drill.mjs: crash Mail1 and Cat2, `backplan restore` them, compare SHA-256
 *   6. backplan drill: each server's newest archive restored into scratch, checked file by
 *      file, and the demo app started on the copy (drill-check.mjs); then history
 * Exit code: the first failing step's, else 0.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const cli = path.join(repo, 'packages', 'cli', 'dist', 'backplan.mjs');
const scratch = path.join(here, '.scratch');
const quote = s => `'${s.replace(/'/g, `'\\''`)}'`;

if (!fs.existsSync(cli)) {
    console.error(`demo: ${cli} is missing: run \`npm ci\` (or \`npm run build\`) first`);
    process.exit(2);
}

fs.rmSync(scratch, { recursive: true, force: true });
const bin = path.join(scratch, 'bin');
fs.mkdirSync(bin, { recursive: true });
fs.writeFileSync(path.join(bin, 'demo-app'), `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(path.join(here, 'demo-app.mjs'))} "$@"\n`, { mode: 0o755 });
fs.writeFileSync(path.join(bin, 'demo-drill-check'), `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(path.join(here, 'drill-check.mjs'))} "$@"\n`, { mode: 0o755 });

// Data as a mail server and two catalog servers would have it.
const servers = [
    { name: 'Mail1', role: 'mail', dir: path.join(scratch, 'servers', 'mail1') },
    { name: 'Cat1', role: 'catalog', dir: path.join(scratch, 'servers', 'cat1') },
    { name: 'Cat2', role: 'catalog', dir: path.join(scratch, 'servers', 'cat2') }
];
for (let i = 1; i <= 25; i++) {
    fs.mkdirSync(path.join(servers[0].dir, 'Inbox'), { recursive: true });
    fs.writeFileSync(path.join(servers[0].dir, 'Inbox', `msg-000${i}.eml`), `Subject: welcome ${i}\n\nHello.\n`);
}
for (const s of servers.slice(1)) {
    for (const folder of ['Engineering', 'Sales Dept']) {
        fs.mkdirSync(path.join(s.dir, folder), { recursive: true });
        fs.writeFileSync(path.join(s.dir, folder, 'records.db'), `${folder} records held by ${s.name}\n`.repeat(200));
    }
}
// Inside a Backplan string: a backslash and a double quote are escaped.
const inString = s => s.replace(/[\\"]/g, c => `\\${c}`);
// A shell word: quoted only when it needs to be, so the runbook stays readable.
const shellWord = s => /^[\w@%+=:,./-]+$/.test(s) ? s : quote(s);
const runbook = path.join(scratch, 'demo.backplan');
fs.writeFileSync(runbook, fs.readFileSync(path.join(here, 'demo.backplan.in'), 'utf8')
    .replaceAll('@SCRATCH@', inString(scratch))
    .replaceAll('@DEMO_APP@', inString(shellWord(path.join(bin, 'demo-app'))))
    .replaceAll('@DEMO_DRILL_CHECK@', inString(shellWord(path.join(bin, 'demo-drill-check')))));

// No PATH change: the runbook's commands are absolute, as from the editor or cron.
const env = process.env;
const state = path.join(scratch, 'state');
const rel = p => path.relative(process.cwd(), p) || '.';

const bold = process.stdout.isTTY && !process.env.NO_COLOR ? t => `\u001b[1m${t}\u001b[0m` : t => t;

function step(title, file, args) {
    console.log(`\n${bold(`$ ${title}`)}`);
    const r = spawnSync(file, args, { stdio: 'inherit', env });
    return r.status ?? 1;
}

let failed = 0;
try {
    for (const s of servers) {
        const code = step(`demo-app start   # ${s.name}`, path.join(bin, 'demo-app'), ['start', '--data', s.dir, '--role', s.role]);
        if (code !== 0) throw new Error(`${s.name} did not start`);
    }
    const verbs = [
        ['backup', runbook, '--state', state],
        ['verify', runbook, '--state', state],
        ['archives', runbook, '--state', state],
        ['history', runbook, '--state', state]
    ];
    for (const args of verbs) {
        const code = step(`backplan ${args[0]} ${rel(runbook)} --state ${rel(state)}`, process.execPath, [cli, ...args]);
        if (code !== 0 && !failed) failed = code;
    }
} catch (err) {
    console.error(`demo: ${err.message}`);
    failed ||= 1;
} finally {
    for (const s of servers) step(`demo-app stop    # ${s.name}`, path.join(bin, 'demo-app'), ['stop', '--data', s.dir, '--role', s.role]);
}
console.log(`\nThe tape is ${rel(path.join(scratch, 'tape'))} (archives/*.tar.zst with their *.manifest.json); the journal is in ${rel(state)}.`);
console.log('docs/runner.md explains what each step did and what the files mean.');
// Last step: the restore drill — crash Mail1 and Cat2, restore them, compare hashes.
if (!failed) failed = step('node examples/demo/restore-drill.mjs   # wipe data, backplan restore, compare SHA-256', process.execPath, [path.join(here, 'restore-drill.mjs')]);
// The end: a restore drill proves, as a schedule would every Sunday, that the archives restore
// and the application runs on them — into scratch, with the servers left alone.
if (!failed) {
    failed = step(`backplan drill ${rel(runbook)} --state ${rel(state)}   # restore into scratch, check every file, start the app on the copy`,
        process.execPath, [cli, 'drill', runbook, '--state', state]);
    step(`backplan history ${rel(runbook)} --state ${rel(state)}`, process.execPath, [cli, 'history', runbook, '--state', state]);
}
console.log(failed ? `\ndemo: a step failed (exit ${failed})` : '\ndemo: done');
process.exit(failed);
