#!/usr/bin/env node
// Runs the VS Code test suite (test/vscode/suite) inside a real VS Code: code-server
// 4.100.3 (VS Code 1.100.3) on 127.0.0.1, its web workbench driven by Debian's headless
// Chromium through playwright-core. Three runs, each with a throw-away profile:
//   trusted     the extension under development, workspace trust off: language features,
//               quick fix, completion, Show Plan, a backup of the demo, the coverage view;
//   restricted  the same extension, trust on and the folder untrusted: checking works,
//               every run command is refused;
//   smoke       the packaged .vsix installed with --install-extension (the shipped
//               artifact), plus screenshots in test-results/ (docs/images/ with
//               BACKPLAN_UPDATE_SCREENSHOTS=1).
// Usage: node test/vscode/run-code-server.mjs [--only trusted,restricted,smoke] [--no-build]
// Needs scripts/setup-vscode-test.sh (chromium, ripgrep; code-server into .cache/).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const codeServerEntry = join(repo, '.cache/code-server/node_modules/code-server/out/node/entry.js');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : ['trusted', 'restricted', 'smoke'];
const build = !args.includes('--no-build');
const RUN_TIMEOUT_MS = Number(process.env.BACKPLAN_VSCODE_TEST_TIMEOUT ?? 10 * 60_000);
const verbose = process.env.BACKPLAN_VSCODE_TEST_VERBOSE === '1';

function log(message) {
    process.stdout.write(`[vscode-test] ${message}\n`);
}

function run(command, commandArgs, options = {}) {
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
                    const header = page.locator('.pane-header[aria-expanded="true"]', { hasText: new RegExp(`^\\s*${title}`, 'i') });
                    if (await header.count() > 0) await header.first().click().catch(() => {});
                }
                if (request.collapse?.length) await new Promise(r => setTimeout(r, 800));
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

async function runSuite({ name, trusted, developmentPath, vsix }) {
    const started = Date.now();
    const profile = makeProfile(name, trusted);
    const screenshots = join(profile.root, 'screenshots');
    mkdirSync(screenshots);
    if (vsix) {
        log(`${name}: installing ${vsix.slice(repo.length)}`);
        run(process.execPath, [codeServerEntry, ...codeServerArgs(profile), '--install-extension', vsix], { stdio: verbose ? 'inherit' : 'ignore' });
    }
    const port = await freePort();
    const workspace = join(repo, 'examples');
    const env = {
        ...process.env,
        BACKPLAN_VSCODE_TEST_MODE: name,
        BACKPLAN_VSCODE_TEST_REPO: repo,
        BACKPLAN_VSCODE_TEST_SCREENSHOTS: vsix ? screenshots : '',
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
            ['extensionTestsPath', remote(join(repo, 'test/vscode/out/suite.js'))]
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
        return code;
    } catch (err) {
        log(`${name}: ${err.message}`);
        if (!verbose) process.stdout.write(serverLog.split('\n').slice(-40).join('\n') + '\n');
        return 1;
    } finally {
        await stopScreenshots();
        await browser?.close().catch(() => {});
        server.kill('SIGTERM');
        await new Promise(r => server.exitCode !== null ? r() : server.once('exit', r));
        rmSync(profile.root, { recursive: true, force: true });
    }
}

const t0 = Date.now();
if (!existsSync(codeServerEntry)) {
    log('code-server is not in .cache/code-server: building it (scripts/setup-vscode-test.sh --no-apt)');
    run('bash', [join(repo, 'scripts/setup-vscode-test.sh'), '--no-apt']);
}
if (!existsSync(chromiumPath)) {
    // A laptop without Chromium still runs the rest of `npm test`; CI sets
    // BACKPLAN_REQUIRE_VSCODE=1 so that a missing browser fails instead of skipping.
    const required = process.env.BACKPLAN_REQUIRE_VSCODE === '1';
    log(`${required ? 'FAILED' : 'skipped'}: no Chromium at ${chromiumPath}: run scripts/setup-vscode-test.sh as root (or set CHROMIUM_PATH)`);
    process.exit(required ? 1 : 0);
}
mkdirSync(join(repo, 'test-results'), { recursive: true });
if (build) {
    // The root build first: the CLI bundle imports the language and engine packages' out/.
    run('npm', ['run', '--silent', 'build']);
    run('npm', ['run', '--silent', 'build', '-w', 'backplan']);
    run(process.execPath, [join(repo, 'test/vscode/build.mjs')]);
    if (only.includes('smoke')) run('npm', ['run', '--silent', 'package', '-w', 'backplan']);
}
const { version } = JSON.parse(execFileSync(process.execPath, ['-p', 'JSON.stringify(require("./packages/extension/package.json"))'], { cwd: repo, encoding: 'utf8' }));
const vsix = join(repo, 'packages/extension', `backplan-${version}.vsix`);

const results = {};
for (const name of only) {
    if (name === 'trusted') results[name] = await runSuite({ name, trusted: true, developmentPath: join(repo, 'packages/extension') });
    else if (name === 'restricted') results[name] = await runSuite({ name, trusted: false, developmentPath: join(repo, 'packages/extension') });
    else if (name === 'smoke') results[name] = await runSuite({ name, trusted: true, developmentPath: join(repo, 'test/vscode/smoke-host'), vsix });
    else { log(`unknown run ${name}`); results[name] = 2; }
}
log(`results: ${Object.entries(results).map(([k, v]) => `${k}=${v}`).join(' ')} · ${((Date.now() - t0) / 1000).toFixed(0)} s in all`);
process.exit(Object.values(results).every(code => code === 0) ? 0 : 1);
