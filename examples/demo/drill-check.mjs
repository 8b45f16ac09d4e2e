#!/usr/bin/env node
/**
 * The demo drill's `test` (demo.backplan: `drill Sunday { test "…/bin/demo-drill-check" }`, by its absolute path): run by
 * `backplan drill` on each restored copy, with BACKPLAN_DRILL_DIR, BACKPLAN_SERVER,
 * BACKPLAN_ROLE and BACKPLAN_ARCHIVE set.
 *
 *   1. what the copy must hold: a mail server's Inbox with messages; a catalog server's
 *      folders with their records
 *   2. start the demo app on the copy (never on the live data folder) and wait until it
 *      has served: a mail server delivers a message into the copy, a catalog server writes
 *      a change into every folder of the copy
 *   3. stop it, whatever happened
 * Exit 0 when the copy holds its data and the app worked on it, else 1 (output says why).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const app = path.join(path.dirname(fileURLToPath(import.meta.url)), 'demo-app.mjs');
const copy = process.env.BACKPLAN_DRILL_DIR;
const server = process.env.BACKPLAN_SERVER ?? '?';
const role = process.env.BACKPLAN_ROLE === 'catalog' ? 'catalog' : 'mail';
if (!copy) {
    console.error('demo-drill-check: run by `backplan drill` (BACKPLAN_DRILL_DIR is not set)');
    process.exit(2);
}

const demoApp = (verb, extra = []) => spawnSync(process.execPath, [app, verb, '--data', copy, '--role', role, ...extra], { encoding: 'utf8' });
const folders = () => fs.readdirSync(copy, { withFileTypes: true }).filter(d => d.isDirectory()).map(d => d.name);

/** What the copy holds, or why it is not what the server had. */
function content() {
    if (role === 'mail') {
        const inbox = path.join(copy, 'Inbox');
        const messages = fs.existsSync(inbox) ? fs.readdirSync(inbox).filter(n => n.endsWith('.eml')) : [];
        return messages.length ? { ok: true, what: `${messages.length} messages in Inbox` } : { ok: false, what: 'no messages in Inbox' };
    }
    const held = folders().filter(f => fs.existsSync(path.join(copy, f, 'records.db')));
    return held.length ? { ok: true, what: `folders ${held.join(', ')} with their records` } : { ok: false, what: 'no folder with records' };
}

/** Whether the app has written into the copy since it started (its work proves it runs on it). */
function served(before) {
    if (role === 'mail') return fs.readdirSync(path.join(copy, 'Inbox')).length > before;
    return folders().every(f => fs.existsSync(path.join(copy, f, 'changes.log')) && fs.statSync(path.join(copy, f, 'changes.log')).size > (before.get(f) ?? 0));
}

const held = content();
console.log(`${server}: the restored copy holds ${held.what}`);
if (!held.ok) process.exit(1);
const before = role === 'mail' ? fs.readdirSync(path.join(copy, 'Inbox')).length
    : new Map(folders().map(f => [f, fs.existsSync(path.join(copy, f, 'changes.log')) ? fs.statSync(path.join(copy, f, 'changes.log')).size : 0]));
let ok = false;
try {
    const started = demoApp('start', ['--interval', '20']);
    process.stdout.write(started.stdout);
    if (started.status !== 0) throw new Error(`the demo app did not start on the copy: ${started.stderr.trim()}`);
    // The app works every 20 ms; its first write into the copy is the event waited for.
    for (let i = 0; i < 500 && !served(before); i++) spawnSync('sleep', ['0.02']);
    ok = served(before);
    console.log(ok ? `${server}: the demo app ran on the copy and ${role === 'mail' ? 'delivered a message into it' : 'wrote a change into every folder'}`
        : `${server}: the demo app started but never worked on the copy`);
} catch (err) {
    console.log(`${server}: ${err.message}`);
} finally {
    process.stdout.write(demoApp('stop').stdout);
}
process.exit(ok ? 0 : 1);
