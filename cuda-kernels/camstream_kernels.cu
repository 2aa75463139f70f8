// camstream GPU kernels: channel weights and fused CAM post-processing.
//
// Every kernel reproduces a CPU reference path in Java (named at each kernel) with the same arithmetic:
// the float steps that decide bilinear sampling and normalisation use the
// round-to-nearest intrinsics (__fmul_rn, __fadd_rn, __fsub_rn, __fdiv_rn), which the compiler never contracts
// into FMAs, so they give bit-for-bit the float results of the (strict IEEE) Java code. Only reductions differ in
// summation order (see README.md for the resulting tolerances).
//
// The file is deliberately header-free (no cuda_fp16.h, no <cstdint>): the same text compiles with nvcc (build
// step), NVRTC (run-time fallback in Java, CuPy's RawModule in check_kernels.py) and, with
// CAMSTREAM_HOST_EMULATION defined, as plain C++ on the host (emu/cuda_emu.h). Half precision values travel as
// their IEEE binary16 bit patterns (unsigned short) and are converted with single PTX instructions.
//
// Layout conventions: activations/gradients are 4-D (N, C, h, w) tensors whose (h, w) part can be addressed as one
// flat pixel index p = y * w + x with a single stride (true for contiguous NCHW, stride(p) = 1, and for channels_last
// NHWC, stride(c) = 1, stride(p) = C). Strides are in elements. All entry points are extern "C" so that drivers,
// NVRTC and CuPy find them by their plain names.

typedef unsigned short cs_half;  // IEEE 754 binary16 bit pattern

#ifndef CAMSTREAM_HOST_EMULATION
__device__ __forceinline__ float cs_h2f(cs_half h) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
}
__device__ __forceinline__ cs_half cs_f2h(float f) {
    cs_half h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
    return h;
}
extern __shared__ float cs_dynamic_smem[];
#endif

__device__ __forceinline__ float cs_load(const float* p, long long i) { return p[i]; }
__device__ __forceinline__ float cs_load(const cs_half* p, long long i) { return cs_h2f(p[i]); }
__device__ __forceinline__ void cs_store(float* p, long long i, float v) { p[i] = v; }
__device__ __forceinline__ void cs_store(cs_half* p, long long i, float v) { p[i] = cs_f2h(v); }

__device__ __forceinline__ float cs_pos_inf() { return __int_as_float(0x7f800000); }
__device__ __forceinline__ float cs_neg_inf() { return __int_as_float(0xff800000); }

__device__ __forceinline__ float cs_warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}
__device__ __forceinline__ float cs_warp_min(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fminf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}
__device__ __forceinline__ float cs_warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// One output index d of a half-pixel-centre bilinear resize from `in` to `out` samples (scale = in / out as float):
// the two source indices and the weight of the second. Same arithmetic as BilinearResize.axis (Java) and as torch's
// interpolate(mode="bilinear", align_corners=False) / OpenCV INTER_LINEAR geometry (no antialias).
__device__ __forceinline__ void cs_axis(int d, int in, float scale, int& i0, int& i1, float& lambda1) {
    float s = __fsub_rn(__fmul_rn(scale, __fadd_rn((float)d, 0.5f)), 0.5f);
    if (s < 0.f) s = 0.f;
    int a = (int)s;
    if (a > in - 1) a = in - 1;
    i0 = a;
    i1 = a < in - 1 ? a + 1 : a;
    lambda1 = __fsub_rn(s, (float)a);
}

// wy0 * (wx0 * v00 + wx1 * v01) + wy1 * (wx0 * v10 + wx1 * v11), evaluated exactly as the Java expression.
// a + t (b - a) along x, then y: equal neighbours give exactly their value (a constant map stays constant).
// Same expression and order as BilinearResize.lerp2 in Java; explicit _rn intrinsics keep nvcc from fusing to FMA.
__device__ __forceinline__ float cs_lerp2(float wy1, float wx1, float v00, float v01, float v10, float v11) {
    const float top = __fadd_rn(v00, __fmul_rn(wx1, __fsub_rn(v01, v00)));
    const float bot = __fadd_rn(v10, __fmul_rn(wx1, __fsub_rn(v11, v10)));
    return __fadd_rn(top, __fmul_rn(wy1, __fsub_rn(bot, top)));
}

// Upsampled value of output pixel (oy, ox) of an (h, w) float map.
__device__ __forceinline__ float cs_sample(const float* map, int h, int w, float sy, float sx, int oy, int ox) {
    int y0, y1, x0, x1;
    float ly, lx;
    cs_axis(oy, h, sy, y0, y1, ly);
    cs_axis(ox, w, sx, x0, x1, lx);
    return cs_lerp2(ly, lx, map[y0 * w + x0], map[y0 * w + x1], map[y1 * w + x0], map[y1 * w + x1]);
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Channel weights.  Java reference: explain/GradCam.channelWeights (kind 1), explain/GradCamPlusPlus (kind 2),
//    explain/ActivationMap (kind 0).
//
//    kind 0: W = 1/C (float).  kind 1: W = mean over pixels of G (double sum, double division, rounded to float).
//    kind 2: S = sum over pixels of A (double); W = sum over pixels with g != 0 of relu(g) * g^2 / (2 g^2 + S g^3 + 1e-6)
//            (all in double, rounded to float once).
//
//    Output row: W[row * C + c] with row = out_row[n] (skipped when negative) or n when out_row is null.
//    Launch: grid (ceil(C / 32), N), block B threads, B a multiple of 32 in [32, 1024], no dynamic shared memory.
//    Each block reduces a tile of 32 channels of one input. With channels-inner strides (aC == 1, channels_last)
//    lanes run over channels and warps over pixels; otherwise lanes run over pixels and warps over channels, so
//    global reads are coalesced in both layouts. Partial sums are combined in a fixed order (deterministic).
// ---------------------------------------------------------------------------------------------------------------

template <typename F>
__device__ __forceinline__ void cs_tile_reduce(F f, int c0, int C, int P, bool channel_inner, double* part, double* out32) {
    const int tid = threadIdx.x;
    const int lane = tid & 31;
    const int warp = tid >> 5;
    const int nwarps = blockDim.x >> 5;
    if (channel_inner) {
        const int c = c0 + lane;
        double acc = 0.0;
        if (c < C) {
            for (int p = warp; p < P; p += nwarps) acc += f(c, p);
        }
        part[lane * nwarps + warp] = acc;
    } else {
        for (int cl = warp; cl < 32; cl += nwarps) {
            const int c = c0 + cl;
            double acc = 0.0;
            if (c < C) {
                for (int p = lane; p < P; p += 32) acc += f(c, p);
            }
            part[cl * 32 + lane] = acc;
        }
    }
    __syncthreads();
    if (tid < 32) {
        const int slots = channel_inner ? nwarps : 32;
        double s = 0.0;
        for (int k = 0; k < slots; k++) s += part[tid * slots + k];
        out32[tid] = s;
    }
    __syncthreads();
}

template <typename T>
__device__ __forceinline__ void cs_channel_weights(const T* __restrict__ A, const T* __restrict__ G, int N, int C, int P,
                                                   long long aN, long long aC, long long aP,
                                                   long long gN, long long gC, long long gP,
                                                   int kind, const int* __restrict__ out_row, float* __restrict__ W) {
    __shared__ double part[1024];
    __shared__ double sum_a[32];
    __shared__ double result[32];
    const int n = blockIdx.y;
    const int c0 = blockIdx.x * 32;
    const int tid = threadIdx.x;
    if (n >= N) return;  // uniform over the block
    const long long row = out_row ? (long long)out_row[n] : (long long)n;
    if (row < 0) return;  // uniform over the block
    if (kind == 0) {
        if (tid < 32 && c0 + tid < C) W[row * C + c0 + tid] = __fdiv_rn(1.f, (float)C);
        return;
    }
    const T* a = A + (long long)n * aN;
    const T* g = G + (long long)n * gN;
    const bool channel_inner = (gC == 1 && gP != 1);
    if (kind == 1) {
        cs_tile_reduce([&](int c, int p) { return (double)cs_load(g, c * gC + p * gP); }, c0, C, P, channel_inner, part, result);
        if (tid < 32 && c0 + tid < C) W[row * C + c0 + tid] = (float)(result[tid] / (double)P);
        return;
    }
    // kind 2: Grad-CAM++
    cs_tile_reduce([&](int c, int p) { return (double)cs_load(a, c * aC + p * aP); }, c0, C, P, channel_inner, part, sum_a);
    cs_tile_reduce([&](int c, int p) {
        const double gp = (double)cs_load(g, c * gC + p * gP);
        if (gp == 0.0) return 0.0;
        const double g2 = gp * gp;
        const double alpha = g2 / (2.0 * g2 + sum_a[c - c0] * g2 * gp + 1e-6);
        return gp > 0.0 ? gp * alpha : 0.0;
    }, c0, C, P, channel_inner, part, result);
    if (tid < 32 && c0 + tid < C) W[row * C + c0 + tid] = (float)result[tid];
}

extern "C" __global__ void cam_channel_weights_f32(const float* A, const float* G, int N, int C, int P,
                                                   long long aN, long long aC, long long aP,
                                                   long long gN, long long gC, long long gP,
                                                   int kind, const int* out_row, float* W) {
    cs_channel_weights<float>(A, G, N, C, P, aN, aC, aP, gN, gC, gP, kind, out_row, W);
}

extern "C" __global__ void cam_channel_weights_f16(const cs_half* A, const cs_half* G, int N, int C, int P,
                                                   long long aN, long long aC, long long aP,
                                                   long long gN, long long gC, long long gP,
                                                   int kind, const int* out_row, float* W) {
    cs_channel_weights<cs_half>(A, G, N, C, P, aN, aC, aP, gN, gC, gP, kind, out_row, W);
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Fused CAM post-processing, one block per map m.  Java reference: ChannelWeightedCam.computeMap
//    (WeightedChannelSum) followed by CpuCamPostprocessor (Relu, BilinearResize, MinMaxNormalisation).
//
//    cam[p]  = sum_c W[m, c] * A[n, c, p]   (n = map_input[m], or m when map_input is null; channels with a zero
//              weight are skipped, as in Java); ReLU when relu != 0 (NaN -> 0); written to cams[m] when cams != null.
//    heat    = bilinear resize of cam to (outH, outW) with half-pixel centres, then min-max normalised over the
//              UPSAMPLED values: (x - min) / (max - min), all zeros when max - min is not > 0.
//
//    Launch: grid (M), block B (multiple of 32, <= 1024); dynamic shared memory h*w*4 bytes when cam_in_smem != 0,
//    else 0 (then cams must be non-null and holds the low-resolution map between the two stages).
//    One pass over the activations (each element read once); the upsampled map is computed twice from the small
//    cam (first pass: min/max, second: normalised output), never stored un-normalised.
// ---------------------------------------------------------------------------------------------------------------

template <typename TA, typename TO>
__device__ __forceinline__ void cs_fused_cam(const TA* __restrict__ A, long long aN, long long aC, long long aP,
                                             int C, int h, int w, const float* __restrict__ W, const int* __restrict__ map_input,
                                             int outH, int outW, int relu, int cam_in_smem, float* cams, TO* __restrict__ heat) {
    __shared__ float part[1024];
    __shared__ float red[64];
    const int m = blockIdx.x;
    const int tid = threadIdx.x;
    const int nthreads = blockDim.x;
    const int lane = tid & 31;
    const int warp = tid >> 5;
    const int nwarps = nthreads >> 5;
    const int P = h * w;
    const long long n = map_input ? (long long)map_input[m] : (long long)m;
    const TA* a = A + n * aN;
    const float* wrow = W + (long long)m * C;
    float* cam = cam_in_smem ? cs_dynamic_smem : cams + (long long)m * P;

    // Stage 1: weighted channel sum at layer resolution.
    if (aC == 1 && aP != 1) {
        // channels_last: a warp per pixel, lanes over channels
        for (int p = warp; p < P; p += nwarps) {
            float acc = 0.f;
            for (int c = lane; c < C; c += 32) {
                const float wc = wrow[c];
                if (wc != 0.f) acc += wc * cs_load(a, c * aC + (long long)p * aP);
            }
            acc = cs_warp_sum(acc);
            if (lane == 0) cam[p] = acc;
        }
    } else {
        // NCHW (or any other strides): threads over pixels, `groups` interleaved channel groups when pixels are few
        int groups = nthreads / P;
        if (groups < 1) groups = 1;
        if (groups > 32) groups = 32;
        if (groups == 1) {
            for (int p = tid; p < P; p += nthreads) {
                float acc = 0.f;
                for (int c = 0; c < C; c++) {
                    const float wc = wrow[c];
                    if (wc != 0.f) acc += wc * cs_load(a, (long long)c * aC + (long long)p * aP);
                }
                cam[p] = acc;
            }
        } else {
            if (tid < groups * P) {
                const int gidx = tid / P;
                const int p = tid - gidx * P;
                float acc = 0.f;
                for (int c = gidx; c < C; c += groups) {
                    const float wc = wrow[c];
                    if (wc != 0.f) acc += wc * cs_load(a, (long long)c * aC + (long long)p * aP);
                }
                part[tid] = acc;
            }
            __syncthreads();
            for (int p = tid; p < P; p += nthreads) {
                float s = 0.f;
                for (int gi = 0; gi < groups; gi++) s += part[gi * P + p];
                cam[p] = s;
            }
        }
    }
    __syncthreads();
    for (int p = tid; p < P; p += nthreads) {
        float v = cam[p];
        if (relu && !(v > 0.f)) v = 0.f;
        cam[p] = v;
        if (cam_in_smem && cams) cams[(long long)m * P + p] = v;
    }
    __syncthreads();

    // Stage 2: upsample, reduce min/max over the upsampled values, write normalised values.
    const float sy = __fdiv_rn((float)h, (float)outH);
    const float sx = __fdiv_rn((float)w, (float)outW);
    const int total = outH * outW;
    float lo = cs_pos_inf();
    float hi = cs_neg_inf();
    for (int i = tid; i < total; i += nthreads) {
        const int oy = i / outW;
        const int ox = i - oy * outW;
        const float v = cs_sample(cam, h, w, sy, sx, oy, ox);
        lo = fminf(lo, v);
        hi = fmaxf(hi, v);
    }
    lo = cs_warp_min(lo);
    hi = cs_warp_max(hi);
    if (lane == 0) {
        red[warp] = lo;
        red[32 + warp] = hi;
    }
    __syncthreads();
    if (warp == 0) {
        lo = lane < nwarps ? red[lane] : cs_pos_inf();
        hi = lane < nwarps ? red[32 + lane] : cs_neg_inf();
        lo = cs_warp_min(lo);
        hi = cs_warp_max(hi);
        if (lane == 0) {
            red[0] = lo;
            red[32] = hi;
        }
    }
    __syncthreads();
    lo = red[0];
    hi = red[32];
    const float range = __fsub_rn(hi, lo);
    const bool flat = !(range > 0.f);
    TO* out = heat + (long long)m * total;
    for (int i = tid; i < total; i += nthreads) {
        const int oy = i / outW;
        const int ox = i - oy * outW;
        float r = 0.f;
        if (!flat) r = __fdiv_rn(__fsub_rn(cs_sample(cam, h, w, sy, sx, oy, ox), lo), range);
        cs_store(out, i, r);
    }
}

#define CS_FUSED_ENTRY(NAME, TA, TO)                                                                                  \
    extern "C" __global__ void NAME(const TA* A, long long aN, long long aC, long long aP, int C, int h, int w,       \
                                    const float* W, const int* map_input, int outH, int outW, int relu,              \
                                    int cam_in_smem, float* cams, TO* heat) {                                        \
        cs_fused_cam<TA, TO>(A, aN, aC, aP, C, h, w, W, map_input, outH, outW, relu, cam_in_smem, cams, heat);       \
    }
CS_FUSED_ENTRY(cam_fused_f32_f32, float, float)
CS_FUSED_ENTRY(cam_fused_f32_f16, float, cs_half)
CS_FUSED_ENTRY(cam_fused_f16_f32, cs_half, float)
CS_FUSED_ENTRY(cam_fused_f16_f16, cs_half, cs_half)
#undef CS_FUSED_ENTRY
