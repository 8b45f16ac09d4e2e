#!/usr/bin/env node
// Runs the VS Code test suite (test/vscode/suite) inside a real VS Code: code-server
// 4.100.3 (VS Code 1.100.3) on 127.0.0.1, its web workbench driven by Debian's headless
// Chromium through playwright-core (code-server.mjs). Three runs, each with a throw-away
// profile:
//   trusted     the extension under development, workspace trust off: language features,
//               quick fix, completion, Show Plan, a backup of the demo, the coverage view;
//   restricted  the same extension, trust on and the folder untrusted: checking works,
//               every run command is refused;
//   smoke       the packaged .vsix installed with --install-extension (the shipped
//               artifact), plus screenshots in test-results/ (docs/images/ with
//               BACKPLAN_UPDATE_SCREENSHOTS=1).
// Usage: node test/vscode/run-code-server.mjs [--only trusted,restricted,smoke] [--no-build]
// Needs scripts/setup-vscode-test.sh (chromium, ripgrep; code-server into .cache/).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumPath, codeServerEntry, log, repo, run, runInCodeServer } from './code-server.mjs';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : ['trusted', 'restricted', 'smoke'];
const build = !args.includes('--no-build');
/** Errors the language client logs when it is stopped badly (a restart while the window closes). */
const WINDOW_CLOSE_ERRORS = /Starting server failed|Restarting server failed|Client is not running|Stopping server failed/;

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
    const run = name === 'trusted' ? { trusted: true, developmentPath: join(repo, 'packages/extension') }
        : name === 'restricted' ? { trusted: false, developmentPath: join(repo, 'packages/extension') }
        : name === 'smoke' ? { trusted: true, developmentPath: join(repo, 'test/vscode/smoke-host'), vsix }
        : undefined;
    if (!run) { log(`unknown run ${name}`); results[name] = 2; continue; }
    const { code, logProblems } = await runInCodeServer({ name, ...run, logProblems: WINDOW_CLOSE_ERRORS });
    // Closing the window stops the language client with requests in flight: that must not
    // log errors (issue 16.9).
    for (const line of logProblems) log(`${name}: logged when the window closed: ${line}`);
    results[name] = code === 0 && logProblems.length > 0 ? 1 : code;
}
log(`results: ${Object.entries(results).map(([k, v]) => `${k}=${v}`).join(' ')} · ${((Date.now() - t0) / 1000).toFixed(0)} s in all`);
process.exit(Object.values(results).every(code => code === 0) ? 0 : 1);
