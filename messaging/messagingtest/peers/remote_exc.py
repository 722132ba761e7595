"""Exception module shared by the Go<->Python interop peers.

A Go server raising remote_exc.CustomError(code=42, detail="x") is rebuilt
by a Python client as remote_exc_Remote.CustomError_Remote when remote_exc
is in allowed_remote_exmods, and as RemoteError otherwise.
"""


class CustomError(Exception):
    def __init__(self, message="custom failure", **kwargs):
        super().__init__(message)
        self.kwargs = kwargs
