#!/usr/bin/env node
// Runs the same VS Code test suite (test/vscode/suite) in desktop VS Code through
// @vscode/test-electron, which downloads a VS Code build (network needed; on an offline
// machine use `npm run test:vscode`, the code-server launcher). Two runs, as there:
//   trusted     workspace trust disabled;
//   restricted  trust enabled, the examples folder untrusted (test profiles refuse the
//               trust prompt, so it stays in Restricted Mode).
// Usage: node test/vscode/run-desktop.mjs [--only trusted,restricted] [--no-build] [--version 1.100.3]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : ['trusted', 'restricted'];
const version = args.includes('--version') ? args[args.indexOf('--version') + 1] : 'stable';

if (!args.includes('--no-build')) {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: repo, stdio: 'inherit' });
    execFileSync('npm', ['run', '--silent', 'build', '-w', 'backplan'], { cwd: repo, stdio: 'inherit' });
    execFileSync(process.execPath, [join(repo, 'test/vscode/build.mjs')], { cwd: repo, stdio: 'inherit' });
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
    try {
        await runTests({
            version,
            extensionDevelopmentPath: join(repo, 'packages/extension'),
            extensionTestsPath: join(repo, 'test/vscode/out/suite.js'),
            extensionTestsEnv: { BACKPLAN_VSCODE_TEST_MODE: mode, BACKPLAN_VSCODE_TEST_REPO: repo },
            launchArgs: [
                join(repo, 'examples'),
                '--disable-extensions',
                '--user-data-dir', join(profile, 'user-data'),
                '--extensions-dir', join(profile, 'extensions'),
                '--skip-welcome',
                '--skip-release-notes'
            ]
        });
        console.log(`[vscode-desktop] ${mode}: passed`);
    } catch (err) {
        console.error(`[vscode-desktop] ${mode}: ${err instanceof Error ? err.message : String(err)}`);
        failed = true;
    } finally {
        rmSync(profile, { recursive: true, force: true });
    }
}
process.exit(failed ? 1 : 0);
