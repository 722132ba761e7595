"""Python side of the objects/exception integration tests.

Usage: pypeer.py MODE < request.json > reply.json, one process per test,
all cases batched; "kwargs" are JSON documents in strings (so NaN and
Infinity pass). Modes:

format      [{"fmt", "kwargs"}] -> [{"ok", "out"}]: fmt % kwargs.
rebuild     [{"class", "failure", "kwargs", "message", "native"}] -> [{...}]:
            rebuild each Go failure with oslo_messaging's
            deserialize_remote_exception and, when native is true, build
            class([message], **kwargs) as a Python conductor would.
raise       [{"class", "kwargs", "message"}] -> [{"class", "failure"}]:
            raise each class and serialize it with serialize_remote_exception.
printable   -> [[first, last], ...]: the ranges of str.isprintable().
"""
import json
import sys

ALLOWED = ['ironic.common.exception']


def do_format(cases):
    out = []
    for c in cases:
        try:
            out.append({"ok": True, "out": c["fmt"] % json.loads(c["kwargs"])})
        except Exception as e:  # any failure counts, as IronicException
            out.append({"ok": False, "out": "%s: %s" % (type(e).__name__, e)})
    return out


def do_rebuild(cases):
    from ironic.common import exception
    import oslo_messaging
    from oslo_messaging._drivers import common as rpc_common
    out = []
    for c in cases:
        klass = getattr(exception, c["class"])
        res = {"class": c["class"]}
        ex = rpc_common.deserialize_remote_exception(c["failure"], ALLOWED)
        res["type"] = type(ex).__name__
        res["module"] = type(ex).__module__
        res["remote_error"] = isinstance(ex, oslo_messaging.RemoteError)
        res["isinstance"] = isinstance(ex, klass)
        res["str"] = str(ex)
        res["args"] = list(getattr(ex, "args", []))
        res["code"] = getattr(ex, "code", None)
        # A rebuilt IronicException re-encodes the kwargs it was given:
        # decode them once to compare with the wire.
        kw = getattr(ex, "kwargs", None)
        if isinstance(kw, dict) and not res["remote_error"]:
            res["kwargs"] = {k: json.loads(v) if isinstance(v, str) else v
                             for k, v in kw.items()}
        # Natively built with the same kwargs, as a Python conductor would.
        if not c.get("native"):
            out.append(res)
            continue
        try:
            kw = json.loads(c["kwargs"])
            if c.get("message"):
                native = klass(c["message"], **kw)
            else:
                native = klass(**kw)
            res["native_str"] = str(native)
            res["native_kwargs"] = native.kwargs
            res["native_code"] = native.code
        except Exception as e:
            res["native_error"] = "%s: %s" % (type(e).__name__, e)
        out.append(res)
    return out


def do_raise(cases):
    from ironic.common import exception
    from oslo_messaging._drivers import common as rpc_common
    out = []
    for c in cases:
        klass = getattr(exception, c["class"])
        kw = json.loads(c["kwargs"])
        try:
            if c.get("message"):
                raise klass(c["message"], **kw)
            raise klass(**kw)
        except Exception:
            failure = rpc_common.serialize_remote_exception(sys.exc_info())
        out.append({"class": c["class"], "failure": failure})
    return out


def do_printable():
    ranges, start = [], None
    for cp in range(0x110001):
        p = cp <= 0x10FFFF and chr(cp).isprintable()
        if p and start is None:
            start = cp
        elif not p and start is not None:
            ranges.append([start, cp - 1])
            start = None
    return ranges


def main():
    mode = sys.argv[1]
    if mode == "printable":
        res = do_printable()
    else:
        cases = json.load(sys.stdin)
        res = {"format": do_format, "rebuild": do_rebuild,
               "raise": do_raise}[mode](cases)
    json.dump(res, sys.stdout)


if __name__ == "__main__":
    main()
