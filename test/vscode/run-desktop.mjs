#!/usr/bin/env node
// Runs the same VS Code test suite (test/vscode/suite) in desktop VS Code, downloaded by
// @vscode/test-electron (network needed; on an offline machine use `npm run test:vscode`,
// the code-server launcher; on a Linux server without a display, run under xvfb-run).
// Two runs, as there:
//   trusted     workspace trust disabled;
//   restricted  trust enabled, the examples folder untrusted (test profiles refuse the
//               trust prompt, so it stays in Restricted Mode).
// Usage: node test/vscode/run-desktop.mjs [--only trusted,restricted] [--no-build] [--version 1.100.3]
//        VSCODE_EXECUTABLE=/path/to/code  uses an installed VS Code instead of downloading one.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadAndUnzipVSCode } from '@vscode/test-electron';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : ['trusted', 'restricted'];
const version = args.includes('--version') ? args[args.indexOf('--version') + 1] : 'stable';

if (!args.includes('--no-build')) {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: repo, stdio: 'inherit' });
    execFileSync('npm', ['run', '--silent', 'build', '-w', 'backplan'], { cwd: repo, stdio: 'inherit' });
    execFileSync(process.execPath, [join(repo, 'test/vscode/build.mjs')], { cwd: repo, stdio: 'inherit' });
}

// runTests() always adds --disable-workspace-trust, which would make the restricted run
// trusted: download with test-electron, then start VS Code with our own arguments.
let executable;
try {
    executable = process.env.VSCODE_EXECUTABLE ?? await downloadAndUnzipVSCode(version);
} catch (err) {
    console.error(`[vscode-desktop] could not download VS Code ${version} (${err.code ?? err.message}): ` +
        'set VSCODE_EXECUTABLE to an installed one, or run `npm run test:vscode` (code-server, offline)');
    process.exit(2);
}

function runVSCode(launchArgs, env) {
    return new Promise((resolve, reject) => {
        const child = spawn(executable, launchArgs, { env, stdio: 'inherit' });
        child.on('error', reject);
        child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
}

let failed = false;
for (const mode of only) {
    const trusted = mode !== 'restricted';
    const profile = mkdtempSync(join(tmpdir(), `backplan-vscode-desktop-${mode}-`));
    mkdirSync(join(profile, 'user-data', 'User'), { recursive: true });
    writeFileSync(join(profile, 'user-data', 'User', 'settings.json'), JSON.stringify({
        'security.workspace.trust.enabled': !trusted,
        'git.openRepositoryInParentFolders': 'never',
        'workbench.startupEditor': 'none'
    }, null, 2));
    // BACKPLAN_VSCODE_TEST_RELOAD: the suite may reload its window once (test/vscode/suite/reload.ts).
    const env = { ...process.env, BACKPLAN_VSCODE_TEST_MODE: mode, BACKPLAN_VSCODE_TEST_REPO: repo, BACKPLAN_VSCODE_TEST_RELOAD: join(profile, 'reload.json') };
    // Started from a VS Code terminal, this would make the new VS Code a plain Node.
    delete env.ELECTRON_RUN_AS_NODE;
    try {
        const code = await runVSCode([
            join(repo, 'examples'),
            '--no-sandbox', '--disable-gpu-sandbox', '--disable-updates', '--skip-welcome', '--skip-release-notes',
            ...(trusted ? ['--disable-workspace-trust'] : []),
            '--disable-extensions',
            `--extensionDevelopmentPath=${join(repo, 'packages/extension')}`,
            `--extensionTestsPath=${join(repo, 'test/vscode/out/suite.js')}`,
            `--user-data-dir=${join(profile, 'user-data')}`,
            `--extensions-dir=${join(profile, 'extensions')}`
        ], env);
        console.log(`[vscode-desktop] ${mode}: exit ${code}`);
        failed ||= code !== 0;
    } catch (err) {
        console.error(`[vscode-desktop] ${mode}: ${err instanceof Error ? err.message : String(err)}`);
        failed = true;
    } finally {
        rmSync(profile, { recursive: true, force: true });
    }
}
process.exit(failed ? 1 : 0);
