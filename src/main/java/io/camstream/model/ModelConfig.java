package io.camstream.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camstream.InvalidInputException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model's sidecar JSON ({@code --config}): where its files are (relative to the JSON) and how it expects input.
 * Every field is optional; command-line flags override it.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelConfig(@JsonProperty("model") String model,
                          @JsonProperty("labels") String labels,
                          @JsonProperty("input_size") Integer inputSize,
                          @JsonProperty("mean") float[] mean,
                          @JsonProperty("std") float[] std,
                          @JsonProperty("layer") String layer,
                          Path directory) {
    public static final ModelConfig EMPTY = new ModelConfig(null, null, null, null, null, null, null);

    public static ModelConfig read(Path file) {
        try {
            ModelConfig c = new ObjectMapper().readValue(file.toFile(), ModelConfig.class);
            Path dir = file.toAbsolutePath().getParent();
            return new ModelConfig(c.model, c.labels, c.inputSize, c.mean, c.std, c.layer, dir);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read model config " + file + ": " + e.getMessage(), e);
        }
    }

    public Path modelPath() {
        return model == null ? null : directory.resolve(model);
    }

    public Path labelsPath() {
        return labels == null ? null : directory.resolve(labels);
    }
}
