package io.camstream.model;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * Native objects that must outlive the caller's {@link PointerScope} (a loaded module, a cached capture graph).
 * A pointer joins the innermost open scope when it is made; this takes it out again, leaving it to its owner's
 * {@code close()} (or, failing that, the garbage collector).
 */
final class LongLived {
    private LongLived() {
    }

    static <P extends Pointer> P keep(P pointer) {
        PointerScope scope = PointerScope.getInnerScope();
        if (scope != null) {
            // detach() releases the scope's reference: take one of our own first, or the object is freed right here
            pointer.retainReference();
            scope.detach(pointer);
        }
        return pointer;
    }
}
