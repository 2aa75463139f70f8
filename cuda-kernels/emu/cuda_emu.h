// A tiny host emulation of the CUDA execution model, just enough to run camstream_kernels.cu on a machine without a
// GPU: one std::thread per CUDA thread, blocks run one after another, __syncthreads is a std::barrier over the
// block, warp shuffles exchange through a per-warp slot array between two warp barriers, `__shared__` variables
// become function statics (correct because only one block runs at a time), and dynamic shared memory is one global
// buffer (poisoned with NaN before each block).
//
// What this checks: indexing, strides, launch geometry, the order of barriers, reductions, every arithmetic step
// (float steps compiled with -ffp-contract=off, so __fmul_rn & co. are exact IEEE operations as on the GPU), half
// conversions (_Float16, round-to-nearest-even like cvt.rn.f16.f32).
// What it cannot check: the GPU memory model, real warp scheduling (it is always warp-synchronous), performance,
// occupancy/register limits, the driver and NVRTC. Passing under emulation is NOT a GPU verification.
#pragma once

#define CAMSTREAM_HOST_EMULATION 1

#include <barrier>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static

struct cs_dim3 {
    unsigned x = 1, y = 1, z = 1;
};

inline thread_local cs_dim3 threadIdx;
inline thread_local cs_dim3 blockIdx;
inline cs_dim3 blockDim;
inline cs_dim3 gridDim;

struct cs_emu_warp {
    std::barrier<> bar{32};
    alignas(8) unsigned char slot[32][8];
};

struct cs_emu_block {
    explicit cs_emu_block(unsigned threads) : bar(threads) {
        for (unsigned w = 0; w < threads / 32; w++) warps.emplace_back(new cs_emu_warp());
    }
    std::barrier<> bar;
    std::vector<std::unique_ptr<cs_emu_warp>> warps;
};

inline thread_local cs_emu_block* cs_emu_current = nullptr;

inline void __syncthreads() { cs_emu_current->bar.arrive_and_wait(); }

template <typename T>
inline T __shfl_xor_sync(unsigned /*mask*/, T v, int lane_mask) {
    static_assert(sizeof(T) <= 8, "shuffle of a value wider than 8 bytes");
    cs_emu_warp& w = *cs_emu_current->warps[threadIdx.x / 32];
    const unsigned lane = threadIdx.x & 31u;
    std::memcpy(w.slot[lane], &v, sizeof(T));
    w.bar.arrive_and_wait();
    T r;
    std::memcpy(&r, w.slot[lane ^ (unsigned)lane_mask], sizeof(T));
    w.bar.arrive_and_wait();
    return r;
}

inline float __int_as_float(int i) {
    float f;
    std::memcpy(&f, &i, sizeof f);
    return f;
}
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fdiv_rn(float a, float b) { return a / b; }

inline float cs_h2f(unsigned short h) {
    _Float16 x;
    std::memcpy(&x, &h, sizeof h);
    return (float)x;
}
inline unsigned short cs_f2h(float f) {
    _Float16 x = (_Float16)f;
    unsigned short h;
    std::memcpy(&h, &x, sizeof h);
    return h;
}

constexpr std::size_t cs_emu_smem_bytes = 1u << 20;
alignas(16) inline float cs_dynamic_smem[cs_emu_smem_bytes / sizeof(float)];

// A kernel called with cuLaunchKernel-style parameters: args[i] points at the value of parameter i.
using cs_emu_kernel = void (*)(void** args);

template <typename... A, std::size_t... I>
inline void cs_emu_invoke(void (*f)(A...), void** args, std::index_sequence<I...>) {
    f(*static_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(args[I])...);
}
template <typename... A>
inline void cs_emu_invoke(void (*f)(A...), void** args) {
    cs_emu_invoke(f, args, std::index_sequence_for<A...>{});
}
template <auto F>
inline void cs_emu_thunk(void** args) {
    cs_emu_invoke(F, args);
}

inline void cs_emu_launch(cs_emu_kernel kernel, cs_dim3 grid, cs_dim3 block, std::size_t smem, void** args) {
    if (block.y != 1 || block.z != 1) throw std::invalid_argument("emulator: only 1-D blocks are supported");
    if (block.x == 0 || block.x % 32 != 0 || block.x > 1024) {
        throw std::invalid_argument("emulator: block size must be a multiple of 32 in [32, 1024], got " + std::to_string(block.x));
    }
    if (grid.x == 0 || grid.y == 0 || grid.z == 0) throw std::invalid_argument("emulator: empty grid");
    if (smem > cs_emu_smem_bytes) throw std::invalid_argument("emulator: dynamic shared memory over 1 MiB");
    gridDim = grid;
    blockDim = block;
    for (unsigned bz = 0; bz < grid.z; bz++) {
        for (unsigned by = 0; by < grid.y; by++) {
            for (unsigned bx = 0; bx < grid.x; bx++) {
                const float nan = std::nanf("");
                for (std::size_t i = 0; i < smem / sizeof(float); i++) cs_dynamic_smem[i] = nan;
                cs_emu_block blk(block.x);
                std::vector<std::thread> threads;
                threads.reserve(block.x);
                for (unsigned t = 0; t < block.x; t++) {
                    threads.emplace_back([&, t] {
                        threadIdx = cs_dim3{t, 0, 0};
                        blockIdx = cs_dim3{bx, by, bz};
                        cs_emu_current = &blk;
                        kernel(args);
                        blk.warps[t / 32]->bar.arrive_and_drop();
                        blk.bar.arrive_and_drop();
                    });
                }
                for (auto& th : threads) th.join();
            }
        }
    }
}
