package io.camstream.postprocess;

import io.camstream.tensor.FloatTensor;

/**
 * Raw maps (before ReLU) to the two outputs every method shares: {@code cams} (ReLU applied, layer resolution) and
 * {@code heatmaps} (cams upsampled to the output size, then min-max normalised per map).
 */
public interface CamPostprocessor {
    /** Result of post-processing M maps. */
    record Maps(FloatTensor cams, FloatTensor heatmaps) {
    }

    /**
     * @param raw  (M, h, w) maps before ReLU; consumed (may be modified)
     * @param relu false keeps signed maps (then normalisation spans the signed range)
     */
    Maps process(FloatTensor raw, int outH, int outW, boolean relu);

    /** The reference implementation, on the CPU in plain Java. */
    static CamPostprocessor cpu() {
        return CpuCamPostprocessor.INSTANCE;
    }
}
