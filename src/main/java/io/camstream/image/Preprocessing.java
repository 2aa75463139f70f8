package io.camstream.image;

import io.camstream.InvalidInputException;

import java.util.Arrays;

/**
 * How an image becomes the network's input: resize to {@code width x height} (bilinear, half-pixel centres), or with
 * {@code centerCrop} resize the shorter side to {@code size / 0.875} and cut the centre; then RGB in [0, 1] and
 * per-channel {@code (x - mean) / std}, NCHW.
 */
public record Preprocessing(int width, int height, boolean centerCrop, float[] mean, float[] std) {
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    public Preprocessing {
        if (width < 1 || height < 1) throw new InvalidInputException("input size must be positive, got " + width + "x" + height);
        if (mean.length != 3 || std.length != 3) throw new InvalidInputException("mean and std need 3 values (R,G,B)");
        for (float s : std) if (!(s > 0)) throw new InvalidInputException("std values must be positive, got " + Arrays.toString(std));
        mean = mean.clone();
        std = std.clone();
    }

    public static Preprocessing imagenet(int size) {
        return new Preprocessing(size, size, false, IMAGENET_MEAN, IMAGENET_STD);
    }

    /** The region of a {@code srcW x srcH} image that the network sees, in source pixels. */
    public Region regionIn(int srcW, int srcH) {
        if (!centerCrop) return new Region(0, 0, srcW, srcH);
        // the crop covers width/0.875 of the resized shorter side, i.e. 0.875 of it in source pixels
        double scale = Math.min((double) srcW / width, (double) srcH / height) * 0.875;
        int w = (int) Math.round(width * scale);
        int h = (int) Math.round(height * scale);
        return new Region((srcW - w) / 2, (srcH - h) / 2, w, h);
    }

    /** A rectangle in source pixels. */
    public record Region(int x, int y, int width, int height) {
    }
}
