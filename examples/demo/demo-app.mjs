#!/usr/bin/env node
/**
 * A stand-in for the seed's PowerShare servers, for the demo and the tests.
 *
 *   demo-app start   start the server in the background (returns once it is up)
 *   demo-app stop    stop it and wait until the process has really exited
 *   demo-app status  exit 0 when running, 3 when not
 *
 * The data folder comes from --data DIR or $BACKPLAN_DATA (set by `backplan` for the
 * runbook's stop/start commands); the role from --role or $BACKPLAN_ROLE. The pid file is
 * DATA.pid, beside (never inside) the data folder.
 *
 * While running, a `mail` server keeps delivering messages into DATA/Inbox (one file per
 * message, plus a line in DATA/mail.log) — it is "always routing", so only a stopped
 * server gives a consistent copy. A `catalog` server keeps appending changes to
 * DATA/<folder>/changes.log of each folder it holds.
 * On SIGTERM it finishes the message in hand, writes DATA/shutdown.log, removes its pid
 * file and exits.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const verb = args[0];
const opt = name => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
};
const data = opt('data') ?? process.env.BACKPLAN_DATA;
const role = opt('role') ?? process.env.BACKPLAN_ROLE ?? 'mail';
const interval = Number(opt('interval') ?? process.env.DEMO_APP_INTERVAL_MS ?? 20);
if (!data) {
    console.error('demo-app: give --data DIR (or set BACKPLAN_DATA)');
    process.exit(2);
}
const pidFile = `${data.replace(/\/+$/, '')}.pid`;

/** Whether a process exists and is not a zombie (an exited child nobody has reaped yet). */
function alive(pid) {
    try {
        process.kill(pid, 0);
    } catch {
        return false;
    }
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
        return true;
    }
}

function runningPid() {
    try {
        const pid = Number(fs.readFileSync(pidFile, 'utf8'));
        return alive(pid) ? pid : undefined;
    } catch {
        return undefined;
    }
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

async function start() {
    if (runningPid()) {
        console.log(`demo-app: ${data} already running`);
        return 0;
    }
    fs.mkdirSync(data, { recursive: true });
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve', '--data', data, '--role', role, '--interval', String(interval)], {
        detached: true, stdio: 'ignore'
    });
    child.unref();
    for (let i = 0; i < 200; i++) {
        if (runningPid() === child.pid) {
            console.log(`demo-app: ${role} server on ${data} started (pid ${child.pid})`);
            return 0;
        }
        await sleep(25);
    }
    console.error('demo-app: the server did not come up');
    return 1;
}

async function stop() {
    const pid = runningPid();
    if (!pid) {
        console.log(`demo-app: ${data} is not running`);
        return 0;
    }
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 1200; i++) {
        if (!alive(pid)) {
            console.log(`demo-app: ${role} server on ${data} stopped`);
            return 0;
        }
        await sleep(25);
    }
    console.error(`demo-app: pid ${pid} did not exit; killing it`);
    process.kill(pid, 'SIGKILL');
    return 1;
}

function serve() {
    fs.writeFileSync(pidFile, String(process.pid));
    let n = 0;
    let stopping = false;
    const folders = () => fs.readdirSync(data, { withFileTypes: true }).filter(d => d.isDirectory()).map(d => d.name);
    if (role === 'mail') fs.mkdirSync(path.join(data, 'Inbox'), { recursive: true });
    const work = () => {
        if (stopping) return;
        n++;
        const stamp = new Date().toISOString();
        if (role === 'mail') {
            const id = `${Date.now()}-${process.pid}-${n}`;
            fs.writeFileSync(path.join(data, 'Inbox', `msg-${id}.eml`), `From: demo@example.org\nDate: ${stamp}\nSubject: message ${n}\n\nHello number ${n}.\n`);
            fs.appendFileSync(path.join(data, 'mail.log'), `${stamp} delivered ${id}\n`);
        } else {
            for (const f of folders()) fs.appendFileSync(path.join(data, f, 'changes.log'), `${stamp} change ${n}\n`);
        }
        timer = setTimeout(work, interval);
    };
    let timer = setTimeout(work, interval);
    const shutdown = () => {
        stopping = true;
        clearTimeout(timer);
        fs.appendFileSync(path.join(data, 'shutdown.log'), `${new Date().toISOString()} clean shutdown after ${n} writes\n`);
        fs.rmSync(pidFile, { force: true });
        process.exit(0);
    };
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
}

switch (verb) {
    case 'start': process.exit(await start()); break;
    case 'stop': process.exit(await stop()); break;
    case 'status': process.exit(runningPid() ? 0 : 3); break;
    case 'serve': serve(); break;
    default:
        console.error('usage: demo-app start|stop|status [--data DIR] [--role mail|catalog]');
        process.exit(2);
}
