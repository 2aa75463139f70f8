#!/usr/bin/env python3
"""Runs the GPU build's test suite (mvn -Pgpu,cuda-redist test) on a machine without a GPU or NVIDIA driver.

What it shows: the GPU build compiles and loads; every CPU test passes on CUDA libtorch; the gpu-tagged tests that
need a device are reported skipped; asking for CUDA gives the typed "CUDA not available" error; and NVRTC (real, from
cuda-redist) compiles the shipped kernel source for sm_75..sm_90 with entry points matching the Java launches
(NvrtcCompileTest, required here). What it cannot show: anything running on a GPU.

How: CUDA libtorch links libraries that no Maven artifact of this version provides (cuBLAS, cuDNN, cuSOLVER,
cuSPARSE, NCCL) and the driver's libcuda.so.1. For each one the loader cannot find, a stub is generated in
target/gpu-stubs/ that defines the symbols libtorch imports from it (functions that are never called: without a
driver, libtorch reports no device and never reaches them); the stub libcuda.so.1 answers cuInit with
CUDA_ERROR_STUB_LIBRARY. Libraries that do exist on this machine are used as they are.

    python3 cuda-kernels/gpu_build_check.py            # whole suite, about 2 minutes after ~850 MB of downloads
    python3 cuda-kernels/gpu_build_check.py -Dtest=NvrtcCompileTest   # extra arguments go to Maven

Needs: mvn, a C compiler (cc), binutils (nm, readelf), ldconfig.
"""
import os
import re
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STUBS = os.path.join(ROOT, "target", "gpu-stubs")
PROFILES = "-Pgpu,cuda-redist"
DRIVER_STUB = r'''/* CUDA driver stand-in: reports CUDA_ERROR_STUB_LIBRARY (34) from the entry points called first. */
int cuInit(unsigned flags) { (void)flags; return 34; }
int cuDriverGetVersion(int *v) { if (v) *v = 0; return 34; }
int cuGetErrorName(int e, const char **s) { (void)e; if (s) *s = "CUDA_ERROR_STUB_LIBRARY"; return 0; }
int cuGetErrorString(int e, const char **s) { (void)e; if (s) *s = "the CUDA driver is a stub"; return 0; }
'''


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw).stdout


def gpu_classpath():
    out = os.path.join(ROOT, "target", "gpu-classpath.txt")
    print("resolving the GPU build's dependencies (mvn %s; downloads about 850 MB the first time)" % PROFILES, flush=True)
    subprocess.run(["mvn", "-B", "-q", PROFILES, "dependency:build-classpath", "-Dmdep.outputFile=" + out], cwd=ROOT, check=True)
    with open(out) as f:
        return f.read().strip().split(os.pathsep)


def native_libs(jars, where):
    """Extracts the shared libraries of the native jars into where/; returns {file name: path}."""
    libs = {}
    for jar in jars:
        with zipfile.ZipFile(jar) as z:
            for name in z.namelist():
                base = os.path.basename(name)
                if re.search(r"\.so(\.|$)", base):
                    path = os.path.join(where, base)
                    if not os.path.exists(path):
                        with z.open(name) as src, open(path, "wb") as dst:
                            dst.write(src.read())
                    libs[base] = path
    return libs


def system_libs():
    found = {}
    for line in run(["ldconfig", "-p"]).splitlines():
        m = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if m and "x86-64" in m.group(2):
            found.setdefault(m.group(1), m.group(3))
    return found


def needed(path):
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", run(["readelf", "-d", path]))


def symbols(path, defined):
    args = ["nm", "-D", "--defined-only" if defined else "--undefined-only", path]
    out = set()
    for line in run(args).splitlines():
        parts = line.split()
        if parts:
            out.add(parts[-1])
    return out


def main():
    extra = sys.argv[1:]
    os.makedirs(os.path.join(STUBS, "jars"), exist_ok=True)
    classpath = gpu_classpath()
    native = [j for j in classpath if re.search(r"-linux-x86_64(-gpu)?\.jar$", j)]
    if not any(j.endswith("-gpu.jar") for j in native):
        sys.exit("the GPU build's classpath has no CUDA libtorch jar: %s" % native)
    have = native_libs(native, os.path.join(STUBS, "jars"))
    system = system_libs()

    # which libraries the loader will not find, and which symbols libtorch expects from each; only libtorch and the
    # two CUDA bindings camstream loads count (the CUDA presets bind many more libraries that are never loaded)
    gpu_jar = [j for j in native if j.endswith("-gpu.jar")][0]
    with zipfile.ZipFile(gpu_jar) as z:
        loaded = {os.path.basename(n) for n in z.namelist() if re.search(r"\.so(\.|$)", n)}
    loaded |= {"libjnicudart.so", "libjninvrtc.so"}
    missing = {}
    for lib, path in have.items():
        if lib not in loaded:
            continue
        for dep in needed(path):
            if dep not in have and dep not in system:
                missing.setdefault(dep, set()).add(lib)
    defined = set()
    for path in list(have.values()) + [system[n] for n in ("libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1") if n in system]:
        defined |= {s.split("@")[0] for s in symbols(path, True)}
    # a versioned import names its library; an unversioned one that nothing present defines goes into every stub
    # its importer needs (a duplicate definition across stubs is harmless). The driver stub is written by hand.
    wanted = {dep: set() for dep in missing}
    for dep, users in missing.items():
        if dep == "libcuda.so.1":
            continue
        for user in users:
            for s in symbols(have[user], False):
                name, _, version = s.partition("@")
                if version.lstrip("@") == dep or (not version and name not in defined):
                    wanted[dep].add(name)
    for dep in sorted(missing):
        base = dep.split(".so")[0]
        src = os.path.join(STUBS, base + ".c")
        with open(src, "w") as f:
            if dep == "libcuda.so.1":
                f.write(DRIVER_STUB)
            else:
                f.write("/* stub of %s: never called without a GPU */\n" % dep)
                for name in sorted(wanted[dep]):
                    f.write("int %s(void) { return 1; }\n" % name)
        script = os.path.join(STUBS, base + ".map")
        with open(script, "w") as f:
            f.write("%s { global: *; };\n" % dep)
        run([os.environ.get("CC", "cc"), "-shared", "-fPIC", "-w", "-Wl,-soname," + dep, "-Wl,--version-script=" + script,
             "-o", os.path.join(STUBS, dep), src])
        print("stub %-20s %4d symbols (for %s)" % (dep, len(wanted[dep]), ", ".join(sorted(missing[dep]))))
    if not missing:
        print("every library CUDA libtorch needs is on this machine; no stubs")

    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = STUBS + (os.pathsep + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    cmd = ["mvn", "-B", PROFILES, "test", "-Dcamstream.requireNvrtc=true"] + extra
    print("running: LD_LIBRARY_PATH=%s %s" % (STUBS, " ".join(cmd)), flush=True)
    sys.exit(subprocess.run(cmd, cwd=ROOT, env=env).returncode)


if __name__ == "__main__":
    main()
