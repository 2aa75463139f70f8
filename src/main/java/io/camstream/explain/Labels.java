package io.camstream.explain;

import io.camstream.InvalidInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Class names, one per line; an index with no name is shown as its number. */
public record Labels(List<String> names) {
    public static final Labels NONE = new Labels(List.of());

    public static Labels read(Path file) {
        try {
            return new Labels(Files.readAllLines(file).stream().map(String::strip).toList());
        } catch (IOException e) {
            throw new InvalidInputException("cannot read labels file " + file + ": " + e.getMessage(), e);
        }
    }

    public String of(int index) {
        return index >= 0 && index < names.size() && !names.get(index).isEmpty() ? names.get(index) : Integer.toString(index);
    }
}
