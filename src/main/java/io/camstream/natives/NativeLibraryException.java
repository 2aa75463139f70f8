package io.camstream.natives;

import io.camstream.CamstreamException;

/** A native library of camstream's cannot be extracted or loaded; the message names it and says what to do. */
public class NativeLibraryException extends CamstreamException {
    public NativeLibraryException(String message) {
        super(message);
    }

    public NativeLibraryException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The user's message for a native library that failed to load ({@link UnsatisfiedLinkError} anywhere in the
     * cause chain, or a class whose native initialisation failed earlier), or null for any other error.
     */
    public static NativeLibraryException from(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            boolean nativeClassFailed = t instanceof NoClassDefFoundError
                    && String.valueOf(t.getMessage()).replace('/', '.').contains("org.bytedeco.");
            if (t instanceof UnsatisfiedLinkError || nativeClassFailed) {
                return new NativeLibraryException("cannot load a native library: " + t.getMessage()
                        + ". If JavaCPP's cache (" + cacheDir() + ") is damaged, delete it and run again (it is "
                        + "refilled on the next run); a CUDA run needs the GPU build (mvn -Pgpu) and the CUDA "
                        + "libraries it links", error);
            }
        }
        return null;
    }

    private static String cacheDir() {
        String dir = System.getProperty("org.bytedeco.javacpp.cachedir");
        return dir != null ? dir : System.getProperty("user.home") + "/.javacpp/cache";
    }
}
