"""A live `camstream serve` with the demo model for the tests: started on a free loopback port, stopped at the end."""
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "clients" / "python"))

from camstream_client import protocol as p  # noqa: E402 (after the path it comes from)

TOKEN = "s3cret-token"


class Server:
    """`bin/camstream serve` (which builds the jar when it is missing) as a child process."""

    def __init__(self, tmp, *args, port=0):
        token_file = tmp / "token.txt"
        token_file.write_text(TOKEN + "\n")  # a trailing newline, as editors write it: not part of the token
        cmd = [str(ROOT / "bin" / "camstream"), "serve", "--config", str(ROOT / "demo" / "model.json"), "--host", "127.0.0.1",
               "--port", str(port), "--metrics-port", "-1", "--token-file", str(token_file), "--worker-threads", "2",
               "--io-threads", "1", *args]
        self.log = []
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        ready = threading.Event()
        self.port = None

        def pump():
            for line in self.proc.stderr:
                self.log.append(line)
                m = re.search(r"camstream: serving .* on 127\.0\.0\.1:(\d+)", line)
                if m:
                    self.port = int(m.group(1))
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        self._ready = ready

    def wait_ready(self):
        if not self._ready.wait(300) or self.port is None:
            self.stop()
            raise RuntimeError("camstream serve did not start:\n" + "".join(self.log[-30:]))
        return self

    def terminate(self):
        """Ctrl-C's signal: the server drains and exits."""
        self.proc.send_signal(signal.SIGTERM)

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    """Both servers start at once (each takes seconds to load and warm up the model): the shared one, and one
    with TLS (the repository's test certificate) that test_shutdown.py shuts down."""
    # bin/camstream builds the jar when it is missing or stale: once, here, not by two servers at the same time
    subprocess.run([str(ROOT / "bin" / "camstream"), "--version"], cwd=ROOT, check=True, timeout=600,
                   stdout=subprocess.DEVNULL)
    shared = Server(tmp_path_factory.mktemp("server"), "--window", "32", "--queue", "256")
    tls = ROOT / "src" / "test" / "resources" / "tls"
    doomed = Server(tmp_path_factory.mktemp("doomed"), "--drain-timeout-ms", "3000", "--window", "16",
                    "--tls-cert", str(tls / "cert.pem"), "--tls-key", str(tls / "key.pem"))
    yield shared, doomed
    shared.stop()
    doomed.stop()


@pytest.fixture(scope="session")
def server(servers):
    return servers[0].wait_ready()


@pytest.fixture(scope="session")
def doomed_server(servers):
    return servers[1].wait_ready()


@pytest.fixture(scope="session")
def demo_images():
    return sorted((ROOT / "demo" / "images").glob("*.png"))


def java_client_maps(port, method, target, result, size, out, files):
    """The Java client's answers for these files (src/test/java/io/camstream/client/JavaClientMaps.java)."""
    classes = ROOT / "target" / "test-classes"
    if not (classes / "io" / "camstream" / "client" / "JavaClientMaps.class").exists():
        subprocess.run(["mvn", "-B", "-q", "test-compile"], cwd=ROOT, check=True)
    cp = os.pathsep.join([str(classes), str(ROOT / "target" / "camstream.jar")])
    subprocess.run(["java", "-Djava.library.path=", "-cp", cp, "io.camstream.client.JavaClientMaps", "127.0.0.1:%d" % port,
                    TOKEN, method, target, result, "%dx%d" % size, str(out), *map(str, files)],
                   cwd=ROOT, check=True, timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


TLS_CA = str(ROOT / "src" / "test" / "resources" / "tls" / "cert.pem")


def read(s):
    """The next message, or None when the server closed the connection."""
    def exact(n):
        buf = b""
        while len(buf) < n:
            chunk = s.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf
    try:
        header = exact(16)
        if header is None:
            return None
        op, rid, n = p.parse_header(header, p.MAX_FRAME_LIMIT)
        body = exact(n) if n else b""
    except ConnectionResetError:
        return None
    return p.decode_body(op, rid, body)
