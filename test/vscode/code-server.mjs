// Runs a VS Code extension test bundle inside a real VS Code: code-server 4.100.3 (VS Code
// 1.100.3) on 127.0.0.1, its web workbench driven by Debian's headless Chromium through
// playwright-core, each run with a throw-away profile. Used by run-code-server.mjs (the
// test suite) and bench/vscode-startup (start-up figures).
// Needs scripts/setup-vscode-test.sh (chromium, ripgrep; code-server into .cache/).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../', import.meta.url));
export const codeServerEntry = join(repo, '.cache/code-server/node_modules/code-server/out/node/entry.js');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RUN_TIMEOUT_MS = Number(process.env.BACKPLAN_VSCODE_TEST_TIMEOUT ?? 10 * 60_000);
const verbose = process.env.BACKPLAN_VSCODE_TEST_VERBOSE === '1';

export function log(message) {
    process.stdout.write(`[vscode-test] ${message}\n`);
}

export function run(command, commandArgs, options = {}) {
    execFileSync(command, commandArgs, { cwd: repo, stdio: 'inherit', ...options });
}

async function freePort() {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.unref();
        server.on('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

async function waitForHttp(url, child, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
        try {
            const response = await fetch(url);
            if (response.status < 500) return;
        } catch { /* not up yet */ }
        await new Promise(r => setTimeout(r, 250));
    }
    throw new Error(`code-server did not answer at ${url} within ${timeoutMs / 1000} s`);
}

function codeServerArgs(profile) {
    return ['--disable-telemetry', '--disable-update-check', '--user-data-dir', profile.userData, '--extensions-dir', profile.extensions];
}

/** A throw-away profile; `trusted` writes settings that turn Workspace Trust off. */
function makeProfile(name, trusted) {
    const root = mkdtempSync(join(tmpdir(), `backplan-vscode-${name}-`));
    const profile = { root, userData: join(root, 'user-data'), extensions: join(root, 'extensions') };
    mkdirSync(join(profile.userData, 'User'), { recursive: true });
    mkdirSync(profile.extensions, { recursive: true });
    const settings = {
        'security.workspace.trust.enabled': !trusted,
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'update.mode': 'none',
        'telemetry.telemetryLevel': 'off',
        'workbench.colorTheme': 'Default Dark Modern',
        'editor.minimap.enabled': false,
        'git.openRepositoryInParentFolders': 'never',
        'workbench.layoutControl.enabled': false,
        'window.zoomLevel': 0
    };
    writeFileSync(join(profile.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
    return profile;
}

/** Screenshots the suite asks for: it writes NAME.request, we answer with NAME.done. */
function serveScreenshots(page, dir) {
    let stopped = false;
    const loop = (async () => {
        while (!stopped) {
            for (const file of existsSync(dir) ? readdirSync(dir) : []) {
                if (!file.endsWith('.request')) continue;
                const name = file.slice(0, -'.request'.length);
                let request = {};
                try { request = JSON.parse(readFileSync(join(dir, file), 'utf8') || '{}'); } catch { /* plain request */ }
                rmSync(join(dir, file), { force: true });
                // Collapse the named Explorer sections (e.g. the folder tree) to give a view room.
                for (const title of request.collapse ?? []) {
                    const named = { hasText: new RegExp(`^\\s*${title}`, 'i') };
                    const header = page.locator('.pane-header[aria-expanded="true"]', named);
                    if (await header.count() === 0) continue;
                    await header.first().click().catch(() => {});
                    await page.locator('.pane-header[aria-expanded="false"]', named).first().waitFor({ timeout: 5000 }).catch(() => {});
                }
                // What the picture is for must be on the page first (a hover, a notification).
                if (request.waitFor) {
                    await page.locator(request.waitFor.selector, request.waitFor.text ? { hasText: request.waitFor.text } : {})
                        .first().waitFor({ state: 'visible', timeout: 15_000 })
                        .catch(err => log(`screenshot ${name}: ${request.waitFor.selector} not shown: ${err.message.split('\n')[0]}`));
                }
                // Every run saves its screenshots under test-results/; only an explicit
                // BACKPLAN_UPDATE_SCREENSHOTS=1 replaces the README's pictures, so running the
                // tests never dirties tracked files.
                const folder = process.env.BACKPLAN_UPDATE_SCREENSHOTS === '1' ? join(repo, 'docs', 'images') : join(repo, 'test-results');
                const target = join(folder, `${name}.png`);
                mkdirSync(folder, { recursive: true });
                try {
                    await page.screenshot({ path: target });
                    log(`screenshot ${target.slice(repo.length)}`);
                } catch (err) {
                    log(`screenshot ${name} failed: ${err.message}`);
                }
                writeFileSync(join(dir, `${name}.done`), '');
            }
            await new Promise(r => setTimeout(r, 200));
        }
    })();
    return async () => { stopped = true; await loop; };
}

/** Every file below a folder. */
function filesBelow(dir) {
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true }).flatMap(e => e.isDirectory() ? filesBelow(join(dir, e.name)) : [join(dir, e.name)]);
}

/** The extension host's log of a profile, once it exists (its shutdown is written there). */
function extensionHostLogs(profile) {
    return filesBelow(join(profile.userData, 'logs')).filter(f => /remoteexthost\.log$|exthost\.log$/.test(f));
}

/**
 * Waits until the extension host has exited (when the suite ends, the workbench tells it to
 * terminate: it deactivates the extensions, so the language client stops while requests
 * may be in flight), at most 20 s, then closes the window. `hosts`: how many extension
 * hosts the window had (a reload in the suite starts a second).
 */
async function closeWindow(page, profile, hosts = 1) {
    const deadline = Date.now() + 20_000;
    const exits = () => extensionHostLogs(profile).reduce((n, f) => n + (readFileSync(f, 'utf8').match(/Extension host with pid \d+ exiting/g) ?? []).length, 0);
    const exited = () => exits() >= hosts;
    while (!exited() && Date.now() < deadline) await new Promise(r => setTimeout(r, 200));
    if (!exited()) log('the extension host logged no exit within 20 s of the suite\'s end');
    await page.close({ runBeforeUnload: true }).catch(() => {});
}

/** Lines of the profile's logs (extension host, output channels) that match a pattern. */
function findInLogs(profile, pattern) {
    return filesBelow(join(profile.userData, 'logs')).flatMap(file => readFileSync(file, 'utf8').split('\n')
        .filter(line => pattern.test(line)).map(line => `${file.slice(profile.userData.length + 1)}: ${line.trim()}`));
}

/**
 * Opens `workspace` in code-server with the extension under development at
 * `developmentPath` (and `vsix` installed, if given), runs the suite bundle `testsPath` in
 * its extension host and resolves to the suite's exit code, plus the lines of the
 * profile's logs (extension host log, output channels) that match `logProblems`.
 */
export async function runInCodeServer({ name, trusted, developmentPath, vsix, workspace = join(repo, 'examples'),
    testsPath = join(repo, 'test/vscode/out/suite.js'), env: extraEnv = {}, logProblems }) {
    const started = Date.now();
    const profile = makeProfile(name, trusted);
    const screenshots = join(profile.root, 'screenshots');
    mkdirSync(screenshots);
    if (vsix) {
        log(`${name}: installing ${vsix.slice(repo.length)}`);
        run(process.execPath, [codeServerEntry, ...codeServerArgs(profile), '--install-extension', vsix], { stdio: verbose ? 'inherit' : 'ignore' });
    }
    const port = await freePort();
    const env = {
        ...process.env,
        ...extraEnv,
        BACKPLAN_VSCODE_TEST_MODE: name,
        BACKPLAN_VSCODE_TEST_REPO: repo,
        BACKPLAN_VSCODE_TEST_SCREENSHOTS: vsix ? screenshots : '',
        // The suite may reload its window once (test/vscode/suite/reload.ts): this file carries it over.
        BACKPLAN_VSCODE_TEST_RELOAD: join(profile.root, 'reload.json'),
        // The extension host must not inherit a terminal's colour settings.
        NO_COLOR: '', FORCE_COLOR: ''
    };
    delete env.NO_COLOR;
    delete env.FORCE_COLOR;
    const server = spawn(process.execPath, [codeServerEntry, ...codeServerArgs(profile), '--auth', 'none',
        '--bind-addr', `127.0.0.1:${port}`, '--ignore-last-opened', workspace], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let serverLog = '';
    const collect = chunk => { serverLog += chunk; if (verbose) process.stdout.write(chunk); };
    server.stdout.on('data', collect);
    server.stderr.on('data', collect);
    const { chromium } = await import('playwright-core');
    let browser;
    let stopScreenshots = async () => {};
    try {
        await waitForHttp(`http://127.0.0.1:${port}/healthz`, server);
        browser = await chromium.launch({
            executablePath: chromiumPath,
            headless: true,
            args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                '--disable-sync', '--no-first-run', '--disable-dev-shm-usage']
        });
        const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
        const exit = new Promise(resolve => {
            void page.exposeFunction('codeAutomationExit', code => resolve(code));
        });
        await page.exposeFunction('codeAutomationLog', (type, logArgs) => {
            const text = format(...(Array.isArray(logArgs) ? logArgs : [logArgs]));
            // Offline, the workbench's failed look-ups of the extension gallery are expected.
            if (!verbose && /ENOTFOUND|open-vsx\.org|marketplace/.test(text)) return;
            process.stdout.write(`${text}\n`);
        });
        if (verbose) page.on('console', m => process.stdout.write(`[browser] ${m.text()}\n`));
        const remote = p => `vscode-remote://127.0.0.1:${port}${p}`;
        const payload = [
            ['extensionDevelopmentPath', remote(developmentPath)],
            ['extensionTestsPath', remote(testsPath)]
        ];
        stopScreenshots = serveScreenshots(page, screenshots);
        const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
        log(`${name}: ${trusted ? 'trusted' : 'restricted mode'}, ${vsix ? 'installed .vsix' : 'extension under development'}`);
        await page.goto(url);
        const timeout = new Promise(resolve => setTimeout(() => resolve('timeout'), RUN_TIMEOUT_MS));
        const code = await Promise.race([exit, timeout]);
        if (code === 'timeout') {
            await page.screenshot({ path: join(repo, 'test-results', `vscode-${name}-timeout.png`) }).catch(() => {});
            throw new Error(`${name}: the suite did not finish within ${RUN_TIMEOUT_MS / 1000} s`);
        }
        log(`${name}: exit ${code} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        await stopScreenshots();
        await closeWindow(page, profile, existsSync(join(profile.root, 'reload.json')) ? 2 : 1);
        return { code, logProblems: logProblems ? findInLogs(profile, logProblems) : [] };
    } catch (err) {
        log(`${name}: ${err.message}`);
        if (!verbose) process.stdout.write(serverLog.split('\n').slice(-40).join('\n') + '\n');
        return { code: 1, logProblems: [] };
    } finally {
        await stopScreenshots();
        await browser?.close().catch(() => {});
        server.kill('SIGTERM');
        await new Promise(r => server.exitCode !== null ? r() : server.once('exit', r));
        // BACKPLAN_VSCODE_KEEP_PROFILE=1 keeps the profile, logs included, for a look afterwards.
        if (process.env.BACKPLAN_VSCODE_KEEP_PROFILE === '1') log(`${name}: profile kept in ${profile.root}`);
        else rmSync(profile.root, { recursive: true, force: true });
    }
}

