/**
 * Which code may import which (docs/architecture.md), checked by `npm run lint:deps` in
 * `npm test`. Packages: language ← engine ← cli; the extension talks to the language
 * server and the CLI bundle, never to their sources (except the language's doc parser).
 * Engine folders are layers: a folder imports only folders of lower layers, so no two
 * folders can form a cycle. A new folder must be given a layer here.
 */
const ENGINE = '^packages/engine/src/';

/** Engine folders, lowest layer first. */
const LAYERS = [
    ['schema', 'progress'],
    ['archive'],
    ['hosts'],
    ['tape', 'plan'],
    ['restic'],
    ['archiver', 'journal', 'schedule'],
    ['kernel', 'retention'],
    ['restore', 'run', 'status'],
    // Above status: the history picture reads the status's run ledger (one reader of backup runs).
    ['picture'],
    ['drill'],
    ['notify']
];

const above = i => LAYERS.slice(i).flat();
const layerRules = LAYERS.flatMap((folders, i) => folders.map(folder => ({
    name: `engine-layer-${folder}`,
    comment: `${folder}/ may import only folders of lower layers (.dependency-cruiser.cjs LAYERS)`,
    severity: 'error',
    from: { path: `${ENGINE}${folder}/` },
    to: { path: `${ENGINE}(${above(i).filter(f => f !== folder).join('|')})/` }
})));

module.exports = {
    forbidden: [
        {
            name: 'no-circular',
            comment: 'no import cycles between modules (type-only imports excepted: a Langium DI module and its services name each other\'s types)',
            severity: 'error',
            from: { path: '^packages/' },
            to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } }
        },
        {
            name: 'engine-folders-known',
            comment: 'every engine folder has a layer in LAYERS',
            severity: 'error',
            from: { path: `${ENGINE}[^/]+/` , pathNot: `${ENGINE}(${LAYERS.flat().join('|')})/` },
            to: {}
        },
        ...layerRules,
        {
            name: 'language-alone',
            comment: 'the language package knows no engine, CLI or extension',
            severity: 'error',
            from: { path: '^packages/language/src/' },
            to: { path: '^packages/(engine|cli|extension)/' }
        },
        {
            name: 'engine-below-cli',
            comment: 'the engine knows no CLI or extension',
            severity: 'error',
            from: { path: '^packages/engine/src/' },
            to: { path: '^packages/(cli|extension)/' }
        },
        {
            name: 'cli-below-extension',
            comment: 'the CLI knows no extension',
            severity: 'error',
            from: { path: '^packages/cli/src/' },
            to: { path: '^packages/extension/' }
        },
        {
            name: 'extension-through-protocols',
            comment: 'the extension uses the language server and the CLI bundle, not their code (two pure helpers excepted: the doc-section parser and the ignore-path rules)',
            severity: 'error',
            from: { path: '^packages/extension/src/' },
            to: { path: '^packages/(engine|cli)/src/|^packages/language/src/(?!lsp/(doc-sections|ignore-paths)\\.ts)' , dependencyTypesNot: ['type-only'] }
        }
    ],
    options: {
        doNotFollow: { path: 'node_modules' },
        exclude: { path: '(^|/)(out|dist|generated)/|\\.d\\.ts$' },
        tsPreCompilationDeps: true,
        tsConfig: { fileName: 'tsconfig.base.json' },
        enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'], extensions: ['.ts', '.js'] }
    }
};
