/**
 * Registers Backplan's validation: one table per rule family, plus the runbook-wide rules
 * that run on each document's root node.
 */
import type { ValidationChecks } from 'langium';
import { Declaration, reflection, type BackplanAstType } from '../generated/ast.js';
import type { BackplanServices } from '../backplan-module.js';
import { attributeChecks } from './attribute-rules.js';
import { backupChecks } from './backup-rules.js';
import { folderChecks } from './folder-rules.js';
import { createImportChecks } from './import-rules.js';
import { quiesceChecks } from './quiesce-rules.js';
import { drillChecks } from './drill-rules.js';
import { notifyChecks } from './notify-rules.js';
import { serverChecks } from './server-rules.js';
import { tapeChecks } from './tape-rules.js';

/** Registers every Backplan check with Langium's validation registry. */
export function registerValidationChecks(services: BackplanServices): void {
    const registry = services.validation.ValidationRegistry;
    const runbookValidator = services.validation.RunbookValidator;
    const runbookChecks: ValidationChecks<BackplanAstType> = {
        Document: (node, accept) => runbookValidator.checkDocument(node, accept)
    };
    for (const checks of [attributeChecks, serverChecks, quiesceChecks, folderChecks, tapeChecks, backupChecks, notifyChecks, drillChecks,
        createImportChecks(services.workspace.RunbookGraph), runbookChecks]) {
        registry.register(skipUnnamed(checks));
    }
}

/**
 * A declaration whose name did not parse already has a syntax error; checking the rest of
 * it would only add messages about 'undefined'.
 */
function skipUnnamed(checks: ValidationChecks<BackplanAstType>): ValidationChecks<BackplanAstType> {
    const result: Record<string, unknown> = {};
    for (const [type, check] of Object.entries(checks)) {
        if (!reflection.isSubtype(type, Declaration.$type) || check === undefined) {
            result[type] = check;
            continue;
        }
        const list = (Array.isArray(check) ? check : [check]) as Array<(node: { name?: string }, ...rest: unknown[]) => unknown>;
        result[type] = list.map(fn => (node: { name?: string }, ...rest: unknown[]) => node.name ? fn(node, ...rest) : undefined);
    }
    return result as ValidationChecks<BackplanAstType>;
}
