"""Python client for the camstream server (docs/protocol.md): Grad-CAM-family heatmaps for video frames, NumPy in
and out. ``Client`` is synchronous (futures for pipelining); ``camstream_client.aio.Client`` is asyncio."""
from .client import Client
from .connection import __version__, read_token_file
from .errors import (CamstreamError, ConnectionLostError, DeadlineError, DeadlineExceededError, InternalError,
                     InvalidError, InvalidRequestError, LocalError, MalformedError, NotConnectedError, OverloadedError,
                     ProtocolError, RejectedError, ServerError, ShuttingDownError, UnauthenticatedError,
                     UnsupportedVersionError, VersionTooOldError, WindowFullError)
from .protocol import HelloOk, Map, PayloadFormat, Prediction, Result, ResultForm, TargetKind

__all__ = [
    "Client", "__version__", "read_token_file", "HelloOk", "Map", "PayloadFormat", "Prediction", "Result", "ResultForm",
    "TargetKind", "CamstreamError", "ConnectionLostError", "DeadlineError", "DeadlineExceededError", "InternalError",
    "InvalidError", "InvalidRequestError", "LocalError", "MalformedError", "NotConnectedError", "OverloadedError",
    "ProtocolError", "RejectedError", "ServerError", "ShuttingDownError", "UnauthenticatedError",
    "UnsupportedVersionError", "VersionTooOldError", "WindowFullError",
]
