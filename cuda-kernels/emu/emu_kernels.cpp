// camstream_kernels.cu compiled for the host emulator (cuda_emu.h), exposed as a C function that launches a kernel
// by name with cuLaunchKernel-style arguments. check_kernels.py --backend emu loads it with ctypes.
//
//   g++ -std=c++20 -O2 -ffp-contract=off -fPIC -shared -pthread emu_kernels.cpp -o libcamstream_emu.so
#include "cuda_emu.h"

#include "../camstream_kernels.cu"

#include <cstdio>
#include <cstring>
#include <exception>

namespace {
struct Entry {
    const char* name;
    cs_emu_kernel kernel;
};

const Entry kEntries[] = {
    {"cam_channel_weights_f32", cs_emu_thunk<cam_channel_weights_f32>},
    {"cam_channel_weights_f16", cs_emu_thunk<cam_channel_weights_f16>},
    {"cam_fused_f32_f32", cs_emu_thunk<cam_fused_f32_f32>},
    {"cam_fused_f32_f16", cs_emu_thunk<cam_fused_f32_f16>},
    {"cam_fused_f16_f32", cs_emu_thunk<cam_fused_f16_f32>},
    {"cam_fused_f16_f16", cs_emu_thunk<cam_fused_f16_f16>},
};

char g_error[512];
}  // namespace

extern "C" const char* cs_emu_last_error() { return g_error; }

// 0 on success, 1 unknown kernel, 2 bad launch configuration (message in cs_emu_last_error()).
extern "C" int cs_emu_launch_kernel(const char* name, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                                    unsigned bz, unsigned long smem, void** args) {
    g_error[0] = 0;
    for (const Entry& e : kEntries) {
        if (std::strcmp(e.name, name) != 0) continue;
        try {
            cs_emu_launch(e.kernel, cs_dim3{gx, gy, gz}, cs_dim3{bx, by, bz}, smem, args);
            return 0;
        } catch (const std::exception& ex) {
            std::snprintf(g_error, sizeof g_error, "%s", ex.what());
            return 2;
        }
    }
    std::snprintf(g_error, sizeof g_error, "no kernel named %s", name);
    return 1;
}
