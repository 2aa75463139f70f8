package io.camstream.cli;

import io.camstream.InvalidInputException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks of output paths made before any work, so that a long run cannot end in "cannot write". */
final class OutputPaths {
    private OutputPaths() {
    }

    /** Creates the folder (and its parents), or says which part of the path is in the way. */
    static void requireFolder(Path dir, String option) {
        for (Path p = dir.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                throw new InvalidInputException("cannot write " + option + " " + dir + ": " + p + " is a file, not a folder");
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            String why = e instanceof AccessDeniedException ? "permission denied" : e.getMessage();
            throw new InvalidInputException("cannot create " + option + " folder " + dir + ": " + why, e);
        }
        if (!Files.isWritable(dir)) throw new InvalidInputException("cannot write " + option + " " + dir + ": the folder is not writable");
    }

    /** A file to be written: not a folder, and its folder exists (created if need be) and is writable. */
    static void requireFile(Path file, String option) {
        if (Files.isDirectory(file)) throw new InvalidInputException("cannot write " + option + " " + file + ": it is a folder, not a file");
        Path parent = file.toAbsolutePath().normalize().getParent();
        if (parent != null) requireFolder(parent, option);
        if (Files.exists(file) && !Files.isWritable(file)) throw new InvalidInputException("cannot write " + option + " " + file + ": it is not writable");
    }
}
