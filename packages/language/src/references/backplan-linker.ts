/**
 * Linking errors in an admin's words: which name is missing, where Backplan looked, and
 * how to fix it.
 */
import { Block } from '../generated/ast.js';
import { DefaultLinker, type AstNodeDescription, type LinkingError, type ReferenceInfo } from 'langium';

/** Langium's linker with Backplan's message for unresolved names. */
export class BackplanLinker extends DefaultLinker {
    protected override createLinkingError(refInfo: ReferenceInfo, targetDescription?: AstNodeDescription): LinkingError {
        const error = super.createLinkingError(refInfo, targetDescription);
        const type = this.reflection.getReferenceType(refInfo);
        // `notify … for` names a Block: a backup or a drill.
        const kinds = type === Block.$type ? ['backup', 'drill'] : [type.toLowerCase()];
        const name = refInfo.reference.$refText;
        const declare = kinds.map(k => `\`${k} ${name}\``).join(' or ');
        return {
            ...error,
            message: `No ${kinds.join(' or ')} named '${name}' in this file or the files it imports: declare ${declare}, import the file that does, or correct the name.`
        };
    }
}
