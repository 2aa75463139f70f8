#!/bin/sh
# Compiles camstream_kernels.cu with nvcc into OUT_DIR (default: target/classes/cuda, so the images ship in the jar):
#   camstream_kernels.fatbin  SASS for sm_75 sm_80 sm_86 sm_89 sm_90 + PTX compute_75 (JIT on anything newer)
#   camstream_kernels.ptx     PTX compute_75 alone (readable; the loader's second choice)
# Maven runs this in the `nvcc` profile (active when /usr/local/bin/nvcc exists; -Dcamstream.nvcc.skip=true skips).
# Up to date outputs are kept, so only the first build after a kernel change pays the ~6 s of nvcc.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../target/classes/cuda}
nvcc=${NVCC:-/usr/local/bin/nvcc}
src=$here/camstream_kernels.cu
mkdir -p "$out"
fatbin=$out/camstream_kernels.fatbin
ptx=$out/camstream_kernels.ptx
if [ -f "$fatbin" ] && [ -f "$ptx" ] && [ "$fatbin" -nt "$src" ] && [ "$fatbin" -nt "$0" ] && [ "$ptx" -nt "$src" ]; then
  echo "cuda-kernels: $fatbin is up to date"
  exit 0
fi
flags="-std=c++17 -O3 --Werror all-warnings"
"$nvcc" $flags -fatbin -o "$fatbin.tmp" \
  -gencode arch=compute_75,code=[sm_75,compute_75] \
  -gencode arch=compute_80,code=sm_80 -gencode arch=compute_86,code=sm_86 \
  -gencode arch=compute_89,code=sm_89 -gencode arch=compute_90,code=sm_90 \
  "$src"
"$nvcc" $flags -ptx -arch=compute_75 -o "$ptx.tmp" "$src"
mv "$fatbin.tmp" "$fatbin"
mv "$ptx.tmp" "$ptx"
echo "cuda-kernels: built $fatbin and $ptx with $("$nvcc" --version | tail -1)"
