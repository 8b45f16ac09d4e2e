/**
 * `notify` blocks (DESIGN §8) as the runner sees them: which events, for which blocks, to
 * which one target. A block with no valid target has none here (see `notify.invalid`).
 *
 *   events  = `on …` when given, else failure + stale
 *   blocks  = the `for` list when given (resolved names only), else undefined: every block
 *   target  = the only one of webhook | healthchecks | command, when exactly one is valid
 */
import { GrammarUtils } from 'langium';
import type { Notify } from '../generated/ast.js';
import { first } from './declarations.js';

/** Every event a `notify` block can ask for. */
export const NOTIFY_EVENTS = ['start', 'success', 'failure', 'stale'] as const;

/** One event of a run or of `status`. */
export type NotifyEventName = typeof NOTIFY_EVENTS[number];

/** The events of a `notify` block without `on`. */
export const DEFAULT_NOTIFY_EVENTS: readonly NotifyEventName[] = ['failure', 'stale'];

/** Where a notification goes. */
export type NotifyTarget =
    | { readonly kind: 'webhook'; readonly url: string }
    | { readonly kind: 'healthchecks'; readonly url: string }
    | { readonly kind: 'command'; readonly command: string };

/** The kinds of target, by the attribute that declares them. */
export const TARGET_KINDS = ['webhook', 'healthchecks', 'command'] as const;

/** One target attribute as written: its kind, value and index in its attribute array. */
export interface TargetAttribute {
    readonly kind: NotifyTarget['kind'];
    readonly value: string;
    readonly index: number;
}

/** Every target attribute of a block, in source order (by offset when known). */
export function targetAttributes(node: Notify): TargetAttribute[] {
    const all = TARGET_KINDS.flatMap(kind => node[kind].map((value, index) => ({ kind, value, index })));
    return all.sort((a, b) => targetOffset(node, a) - targetOffset(node, b));
}

/** Why a URL cannot be a webhook or healthchecks target, or undefined when it can. */
export function httpUrlProblem(url: string): string | undefined {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        return 'is not a URL';
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `uses the ${parsed.protocol.slice(0, -1)} scheme, not http or https`;
    if (parsed.hostname === '') return 'has no host';
    return undefined;
}

/** A valid target attribute as a target, or undefined. */
export function toTarget(attribute: TargetAttribute): NotifyTarget | undefined {
    if (attribute.kind === 'command') return attribute.value.trim() === '' ? undefined : { kind: 'command', command: attribute.value };
    return httpUrlProblem(attribute.value) === undefined ? { kind: attribute.kind, url: attribute.value } : undefined;
}

/** The events a block asks for (its first `on` line, else the default). */
export function notifyEvents(node: Notify): readonly NotifyEventName[] {
    const on = first(node.on);
    if (!on || on.events.length === 0) return DEFAULT_NOTIFY_EVENTS;
    return [...new Set(on.events as NotifyEventName[])];
}

/** The block's only target, when it has exactly one and that one is valid. */
export function notifyTarget(node: Notify): NotifyTarget | undefined {
    const targets = targetAttributes(node);
    return targets.length === 1 ? toTarget(targets[0]) : undefined;
}

/** Where a target's value starts in the text (its index when the node has no text). */
function targetOffset(node: Notify, t: TargetAttribute): number {
    return GrammarUtils.findNodesForProperty(node.$cstNode, t.kind)[t.index]?.offset ?? t.index;
}
