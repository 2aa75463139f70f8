package io.camstream.natives;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Sets the natives up as the CLI does, before any test class touches libtorch: a test JVM on a new machine must not
 * meet the first-run crash {@link NativeLibraries} prevents. The GPU profile sets the platform extension to -gpu.
 */
public final class NativeSetupListener implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        NativeLibraries.prepare(false);
    }
}
