"""Target parsing and the version a target needs, without a server."""
import pytest

from camstream_client import protocol as p
from camstream_client.cli import UsageError, _check_against
from camstream_client.connection import require_version
from camstream_client.errors import VersionTooOldError
from camstream_client.frames import build_explain, target_of


def hello_ok(version):
    return p.HelloOk(version, 16 << 20, 8, 10_000, 30_000, 128, 128, 5, "features.4", ["gradcam"], "test")


@pytest.mark.parametrize("text,want", [("top1", (p.TargetKind.TOP1, 0)), ("top3", (p.TargetKind.TOPK, 3)), (4, (p.TargetKind.CLASS, 4)),
                                       ("4", (p.TargetKind.CLASS, 4)), ("3-1", (p.TargetKind.CONTRAST, 3 | 1 << 16)),
                                       (" 65535 - 0 ", (p.TargetKind.CONTRAST, 65535))])
def test_targets_parse_to_their_wire_form(text, want):
    assert target_of(text) == want


@pytest.mark.parametrize("bad", ["3-3", "3-", "-3", "70000-1", "top0", "x", -1, True])
def test_bad_targets_are_refused_before_sending(bad):
    with pytest.raises(ValueError):
        target_of(bad)


def test_a_contrast_needs_version_2_and_the_rest_does_not():
    contrast = build_explain(b"\x89PNG\r\n\x1a\n....", target="3-1")
    plain = build_explain(b"\x89PNG\r\n\x1a\n....", target=3)
    require_version(plain, hello_ok(1))
    require_version(contrast, hello_ok(2))
    with pytest.raises(VersionTooOldError) as e:
        require_version(contrast, hello_ok(1))
    assert not e.value.retryable and "version 2" in str(e.value)
    _check_against({"target": 3}, hello_ok(1))
    with pytest.raises(UsageError):
        _check_against({"target": "3-1"}, hello_ok(1))
