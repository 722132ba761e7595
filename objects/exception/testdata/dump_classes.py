"""Dump the IronicException classes of ironic.common.exception as JSON.

Output: a JSON list, in definition order, of
  {"class", "parent", "code", "fmt", "own_code", "own_fmt", "module", "init"}
where code and fmt are the values Python resolves for the class, own_* tell
whether the class sets them itself, module is the class's __module__ and
init is true when the class overrides __init__ (a custom signature).
Classes of the module that are not IronicException subclasses are listed
under "skipped" with their base.
"""
import json
import sys

from ironic.common import exception
from ironic_lib.exception import IronicException


def main():
    rows, skipped = [], []
    for name, obj in vars(exception).items():
        if not isinstance(obj, type) or not issubclass(obj, BaseException):
            continue
        if obj.__name__ != name:
            continue
        if not issubclass(obj, IronicException):
            skipped.append({"class": name, "base": obj.__bases__[0].__name__})
            continue
        parent = obj.__bases__[0]
        rows.append({
            "class": name,
            "parent": "" if obj is IronicException else parent.__name__,
            "code": obj.code,
            "fmt": str(obj._msg_fmt),
            "own_code": "code" in vars(obj),
            "own_fmt": "_msg_fmt" in vars(obj),
            "module": obj.__module__,
            "init": "__init__" in vars(obj),
        })
    json.dump({"classes": rows, "skipped": skipped}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
