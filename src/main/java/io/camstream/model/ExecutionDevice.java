package io.camstream.model;

import io.camstream.InvalidInputException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where and how a model runs: {@code cpu} (the default), or a CUDA device with the video-rate settings (half
 * precision, channels_last memory format, cuDNN benchmark mode), each of which can be switched off.
 *
 * @param index          CUDA device ordinal (0 for the CPU)
 * @param half           float16 weights and inputs (CUDA only)
 * @param channelsLast   NHWC memory format for 4-D weights and inputs (allowed on the CPU too)
 * @param cudnnBenchmark let cuDNN time convolution algorithms per input shape (CUDA only; global to the process)
 */
public record ExecutionDevice(Kind kind, int index, boolean half, boolean channelsLast, boolean cudnnBenchmark) {
    public enum Kind { CPU, CUDA }

    public ExecutionDevice {
        if (kind == null) throw new InvalidInputException("device kind is required");
        if (index < 0) throw new InvalidInputException("device index must be >= 0, got " + index);
        if (kind == Kind.CPU) {
            if (index != 0) throw new InvalidInputException("the CPU device has no index, got cpu:" + index);
            if (half) throw new InvalidInputException("half precision needs --device cuda");
            if (cudnnBenchmark) throw new InvalidInputException("cuDNN benchmark mode needs --device cuda");
        }
    }

    public static ExecutionDevice cpu() {
        return new ExecutionDevice(Kind.CPU, 0, false, false, false);
    }

    /** CUDA device {@code index} with half precision, channels_last and cuDNN benchmark mode on. */
    public static ExecutionDevice cuda(int index) {
        return new ExecutionDevice(Kind.CUDA, index, true, true, true);
    }

    /** {@code cpu}, {@code cuda} (device 0) or {@code cuda:N}, case-insensitive. */
    public static ExecutionDevice parse(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) return cpu();
        if (s.equals("cuda") || s.equals("gpu")) return cuda(0);
        if (s.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(s.substring(5)));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new InvalidInputException("--device must be cpu, cuda or cuda:N, got '" + text + "'");
    }

    public boolean isCuda() {
        return kind == Kind.CUDA;
    }

    public ExecutionDevice withHalf(boolean on) {
        return new ExecutionDevice(kind, index, on, channelsLast, cudnnBenchmark);
    }

    public ExecutionDevice withChannelsLast(boolean on) {
        return new ExecutionDevice(kind, index, half, on, cudnnBenchmark);
    }

    public ExecutionDevice withCudnnBenchmark(boolean on) {
        return new ExecutionDevice(kind, index, half, channelsLast, on);
    }

    @Override
    public String toString() {
        String name = isCuda() ? "cuda:" + index : "cpu";
        List<String> opts = new ArrayList<>();
        if (half) opts.add("half");
        if (channelsLast) opts.add("channels_last");
        if (cudnnBenchmark) opts.add("cudnn.benchmark");
        return opts.isEmpty() ? name : name + " (" + String.join(", ", opts) + ")";
    }
}
