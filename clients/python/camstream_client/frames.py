"""What a user hands to ``explain`` (a NumPy frame, image bytes, a tensor; a target; a result form) to an EXPLAIN."""
import numbers

from . import protocol as p

_FORMS = {"float32": p.ResultForm.FLOAT32, "uint8": p.ResultForm.UINT8, "jpeg": p.ResultForm.JPEG_OVERLAY}


def target_of(target):
    """(kind, value) from "top1", "topK" (e.g. "top3"), an int class index, "A-B" (why class A rather than class B;
    protocol version 2), or a (TargetKind, value) pair."""
    if isinstance(target, tuple) and len(target) == 2:
        return p.TargetKind(target[0]), int(target[1])
    if isinstance(target, numbers.Integral) and not isinstance(target, bool):
        if target < 0:
            raise ValueError("a target class must not be negative, got %d" % target)
        return p.TargetKind.CLASS, int(target)
    if isinstance(target, str):
        t = target.strip().lower()
        if t == "top1":
            return p.TargetKind.TOP1, 0
        if t.startswith("top") and t[3:].isdigit() and int(t[3:]) >= 1:
            return p.TargetKind.TOPK, int(t[3:])
        if t.isdigit():
            return p.TargetKind.CLASS, int(t)
        a, dash, b = t.partition("-")
        if dash and a.strip().isdigit() and b.strip().isdigit():
            return contrast(int(a), int(b))
    raise ValueError("target must be 'top1', 'topK' (e.g. 'top3'), a class index or a contrast 'A-B' (e.g. '3-7'), got %r" % (target,))


def contrast(a, b):
    """(kind, value) of the CONTRAST target "class a rather than class b" (both below 65536, different)."""
    if not (0 <= a < 65536 and 0 <= b < 65536):
        raise ValueError("contrast classes must be in 0..65535, got %d and %d" % (a, b))
    if a == b:
        raise ValueError("a contrast needs two different classes, got %d and %d" % (a, b))
    return p.TargetKind.CONTRAST, a | b << 16


def result_form_of(result):
    if isinstance(result, p.ResultForm):
        return result
    try:
        return _FORMS[str(result).lower()]
    except KeyError:
        raise ValueError("result must be 'float32', 'uint8' or 'jpeg', got %r" % (result,)) from None


def payload_of(image, color="bgr"):
    """(format, height, width, buffer) for a frame.

    - ``bytes``-like: a complete JPEG or PNG (told apart by their signatures);
    - NumPy uint8 (H, W, 3): raw pixels, ``color`` "bgr" (OpenCV's order, the default) or "rgb";
    - NumPy float32 (3, H, W): an already-preprocessed tensor (H, W must be the model's input size).
    """
    if isinstance(image, (bytes, bytearray, memoryview)):
        head = bytes(memoryview(image)[:8])
        if head[:3] == b"\xff\xd8\xff":
            return p.PayloadFormat.JPEG, 0, 0, image
        if head == b"\x89PNG\r\n\x1a\n":
            return p.PayloadFormat.PNG, 0, 0, image
        raise ValueError("image bytes must be a JPEG or PNG file (by their first bytes); pass raw pixels as a NumPy array")
    import numpy as np
    if not isinstance(image, np.ndarray):
        raise TypeError("a frame must be a NumPy array or JPEG/PNG bytes, got %s" % type(image).__name__)
    if image.dtype == np.uint8:
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError("a uint8 frame must be (H, W, 3), got %s" % (image.shape,))
        c = color.lower()
        if c not in ("bgr", "rgb"):
            raise ValueError("color must be 'bgr' or 'rgb', got %r" % (color,))
        h, w = image.shape[:2]
        return (p.PayloadFormat.BGR8 if c == "bgr" else p.PayloadFormat.RGB8), h, w, np.ascontiguousarray(image).data
    if image.dtype == np.float32:
        if image.ndim == 4 and image.shape[0] == 1:
            image = image[0]
        if image.ndim != 3 or image.shape[0] != 3:
            raise ValueError("a float32 tensor must be (3, H, W), got %s" % (image.shape,))
        t = np.ascontiguousarray(image, dtype="<f4")
        return p.PayloadFormat.FLOAT32, t.shape[1], t.shape[2], t.data
    raise ValueError("frames are uint8 (H, W, 3) pixels or float32 (3, H, W) tensors, got %s %s" % (image.dtype, image.shape))


def build_explain(image, method="gradcam", target="top1", result="float32", size=None, stream=0, frame=0,
                  deadline=None, priority=0, color="bgr"):
    """The EXPLAIN message (request id 0: the client assigns one). ``size`` is (height, width) or None for the
    frame's own size; ``deadline`` is a budget in seconds (None: none)."""
    kind, value = target_of(target)
    fmt, ph, pw, data = payload_of(image, color)
    oh, ow = (0, 0) if size is None else (int(size[0]), int(size[1]))
    micros = 0 if deadline is None else int(round(deadline * 1e6))
    if deadline is not None and not 0 < micros < 1 << 32:
        raise ValueError("deadline must be in (0, 4294) seconds, got %r" % (deadline,))
    return p.Explain(0, stream, frame, method, kind, value, micros, priority, result_form_of(result), oh, ow, fmt, ph, pw, data)
