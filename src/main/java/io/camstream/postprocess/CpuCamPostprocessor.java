package io.camstream.postprocess;

import io.camstream.tensor.FloatTensor;

/** ReLU, then bilinear upsampling, then min-max normalisation, map by map, in Java. */
final class CpuCamPostprocessor implements CamPostprocessor {
    static final CpuCamPostprocessor INSTANCE = new CpuCamPostprocessor();

    @Override
    public Maps process(FloatTensor raw, int outH, int outW, boolean relu) {
        int m = raw.dim(0);
        int h = raw.dim(1);
        int w = raw.dim(2);
        float[] cams = raw.data();
        float[] heat = new float[m * outH * outW];
        for (int i = 0; i < m; i++) {
            if (relu) Relu.apply(cams, i * h * w, h * w);
            BilinearResize.resize(cams, i * h * w, h, w, heat, i * outH * outW, outH, outW);
            MinMaxNormalisation.apply(heat, i * outH * outW, outH * outW);
        }
        return new Maps(new FloatTensor(cams, m, h, w), new FloatTensor(heat, m, outH, outW));
    }
}
