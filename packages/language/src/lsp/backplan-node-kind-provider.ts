/**
 * Symbol and completion kinds of Backplan's declarations, for the outline, breadcrumbs,
 * workspace symbols and completion icons.
 */
import type { AstNode, AstNodeDescription } from 'langium';
import { DefaultNodeKindProvider } from 'langium/lsp';
import { CompletionItemKind, SymbolKind } from 'vscode-languageserver';

const SYMBOL_KINDS: Record<string, SymbolKind> = {
    Server: SymbolKind.Class,
    Tape: SymbolKind.Struct,
    Folder: SymbolKind.Package,
    Backup: SymbolKind.Event,
    Notify: SymbolKind.Interface,
    Drill: SymbolKind.Method
};

const COMPLETION_KINDS: Record<string, CompletionItemKind> = {
    Server: CompletionItemKind.Class,
    Tape: CompletionItemKind.Struct,
    Folder: CompletionItemKind.Folder,
    Backup: CompletionItemKind.Event,
    Notify: CompletionItemKind.Interface,
    Drill: CompletionItemKind.Method
};

/** Kinds by declaration type. */
export class BackplanNodeKindProvider extends DefaultNodeKindProvider {
    override getSymbolKind(node: AstNode | AstNodeDescription): SymbolKind {
        return SYMBOL_KINDS[typeOf(node)] ?? super.getSymbolKind(node);
    }

    override getCompletionItemKind(node: AstNode | AstNodeDescription): CompletionItemKind {
        return COMPLETION_KINDS[typeOf(node)] ?? super.getCompletionItemKind(node);
    }
}

function typeOf(node: AstNode | AstNodeDescription): string {
    return 'type' in node && typeof node.type === 'string' ? node.type : (node as AstNode).$type;
}
