/**
 * Linking errors in an admin's words: which name is missing, where Backplan looked, and
 * how to fix it.
 */
import { DefaultLinker, type AstNodeDescription, type LinkingError, type ReferenceInfo } from 'langium';

/** Langium's linker with Backplan's message for unresolved names. */
export class BackplanLinker extends DefaultLinker {
    protected override createLinkingError(refInfo: ReferenceInfo, targetDescription?: AstNodeDescription): LinkingError {
        const error = super.createLinkingError(refInfo, targetDescription);
        const kind = this.reflection.getReferenceType(refInfo).toLowerCase();
        const name = refInfo.reference.$refText;
        return {
            ...error,
            message: `No ${kind} named '${name}' in this file or the files it imports: declare \`${kind} ${name}\`, import the file that does, or correct the name.`
        };
    }
}
