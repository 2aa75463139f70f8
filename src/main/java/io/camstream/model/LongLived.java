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

    /**
     * For objects that live as long as the JVM (static callbacks): one reference of our own, never given back, so
     * they survive whether or not a scope was open when they were made. Never pass such an object to {@link #keep}.
     */
    static <P extends Pointer> P pin(P pointer) {
        pointer.retainReference();
        return pointer;
    }

    /** Must be called in the scope that was innermost when {@code pointer} was made (or with none open). */
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
