/**
 * The VS Code test suite: one mocha suite, loaded by the extension host of a real VS Code
 * (code-server through test/vscode/run-code-server.mjs, or desktop VS Code through
 * test/vscode/run-desktop.mjs). BACKPLAN_VSCODE_TEST_MODE picks the run:
 *   trusted (default)  language features, quick fix, completion, plans, runs, coverage view
 *   restricted         Restricted Mode: checking works, run commands are refused
 *   smoke              the installed .vsix: activation, diagnostics, the bundled CLI, screenshots
 * The trusted run reloads its window once, when the harness allows it (reload.ts): the
 * second load runs only the tests of what must survive a reload.
 */
import Mocha from 'mocha';
import { registerCommandTests } from './commands.test';
import { registerCoverageTests } from './coverage.test';
import { testMode } from './helpers';
import { registerLanguageTests } from './language.test';
import { registerPictureReloadTests, registerPictureScreenshots, registerPictureTests } from './pictures.test';
import { afterReload, finishLoad } from './reload';
import { registerRestrictedTests } from './restricted.test';
import { registerSmokeTests } from './smoke.test';

export function run(): Promise<void> {
    const mode = testMode();
    const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000, reporter: 'spec' });
    // Test files use mocha's globals (describe, it, before): define them, then register.
    mocha.suite.emit('pre-require', globalThis, `backplan-${mode}`, mocha);
    if (mode === 'restricted') {
        registerRestrictedTests();
    } else if (mode === 'smoke') {
        registerSmokeTests();
        registerPictureScreenshots();
    } else if (afterReload()) {
        registerPictureReloadTests(afterReload()!.what);
    } else {
        registerLanguageTests();
        registerCoverageTests();
        registerCommandTests();
        registerPictureTests();
    }
    return new Promise<number>(resolve => mocha.run(resolve)).then(finishLoad).then(failures => {
        if (failures > 0) throw new Error(`${failures} test(s) failed in the ${mode} run`);
    });
}
