"""The asyncio client: 16 concurrent streams on one connection, exactly one answer per request."""
import asyncio
import ssl

import numpy as np

import camstream_client as cc
from camstream_client import aio
import pytest

from conftest import TLS_CA, TOKEN


def test_sixteen_concurrent_streams_get_exactly_one_answer_per_request(server, demo_images):
    images = [f.read_bytes() for f in demo_images]
    frames_per_stream = 6

    async def main():
        client = await aio.Client.connect("127.0.0.1", server.port, TOKEN)
        assert client.server.max_in_flight >= 32

        async def stream(s):
            answers = []
            # one frame in flight per stream, 16 on the connection: below the window of 32, because the server
            # may send an answer a moment before it stops counting that request against the window
            for k in range(frames_per_stream):
                answers.append(await client.explain(images[(s + k) % len(images)], stream=s, frame=k, result="uint8",
                                                    size=(24, 24), target="top2" if s % 2 else "top1"))
            return answers

        results = await asyncio.gather(*(stream(s) for s in range(16)))
        stats = client.stats()
        rtt = await client.ping()
        await client.close()
        return results, stats, rtt

    results, stats, rtt = asyncio.run(main())
    seen = set()
    for s, answers in enumerate(results):
        assert len(answers) == frames_per_stream
        for r in answers:
            assert isinstance(r, cc.Result) and r.stream_id == s
            assert len(r.maps) == (2 if s % 2 else 1) and r.maps[0].heatmap.shape == (24, 24)
            seen.add((r.stream_id, r.frame_number))
    assert seen == {(s, f) for s in range(16) for f in range(frames_per_stream)}
    assert stats == {"answers": 16 * frames_per_stream, "unexpected_answers": 0, "in_flight": 0}
    assert 0 < rtt < 5


def test_asyncio_typed_errors_and_window(server, demo_images):
    async def main():
        async with aio.Client("127.0.0.1", server.port, TOKEN) as client:
            try:
                await client.explain(np.zeros((3, 4, 4), np.float32))
            except cc.InvalidError as e:
                invalid = e
            futs = [client.explain_nowait(demo_images[0].read_bytes(), frame=i, size=(8, 8)) for i in range(40)]
            outcomes = await asyncio.gather(*futs, return_exceptions=True)
        return invalid, outcomes

    invalid, outcomes = asyncio.run(main())
    assert invalid.code == 0x0102
    assert sum(isinstance(o, cc.WindowFullError) for o in outcomes) == 40 - 32
    assert sum(isinstance(o, cc.Result) for o in outcomes) == 32


def test_tls_needs_the_servers_certificate_trusted(doomed_server, demo_images):
    async def main():
        async with aio.Client("127.0.0.1", doomed_server.port, TOKEN, tls_ca=TLS_CA) as client:
            r = await client.explain(demo_images[0].read_bytes(), size=(8, 8))
        return r

    assert asyncio.run(main()).maps[0].heatmap.shape == (8, 8)
    with pytest.raises(ssl.SSLCertVerificationError):
        asyncio.run(aio.Client.connect("127.0.0.1", doomed_server.port, TOKEN, tls=True))  # system CAs only
    with pytest.raises(cc.ConnectionLostError):
        asyncio.run(aio.Client.connect("127.0.0.1", doomed_server.port, TOKEN))  # plaintext to a TLS port
