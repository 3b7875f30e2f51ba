"""What is derived from published pages, kept per published version in each process.

The live rows of a page (and of its inline children) change when it is published, and its
`last_published_at` names that version. A value derived from them and kept under (page id, that
version) is never served stale after a publish in any process: the publish is a new key. A save in
a process that does not publish (the shell, a data fix, a demo loader, a test) is told to this
process's copy with `forget`, from a post_save handler. Values are shared between requests: read
them, never change them.
"""

import datetime
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerPublishedVersion(Generic[T]):
    """`load(page ids) -> {page id: value}` run only for the pages whose version is not kept;
    at most `size` versions are kept, the least recently added going first."""

    def __init__(self, load: Callable[[list[int]], dict[int, T]], *, size: int):
        self._load = load
        self._size = size
        self._kept: OrderedDict[tuple[int, datetime.datetime | None], T] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, versions: dict[int, datetime.datetime | None]) -> dict[int, T]:
        """page id → value, for these (page id → last_published_at); a page `load` finds nothing
        for is left out."""
        found: dict[int, T] = {}
        missing = []
        for pk, version in versions.items():
            kept = self._kept.get((pk, version))
            if kept is None:
                missing.append(pk)
            else:
                found[pk] = kept
        if missing:
            loaded = self._load(missing)
            with self._lock:
                for pk, value in loaded.items():
                    found[pk] = value
                    self._kept[(pk, versions[pk])] = value
                while len(self._kept) > self._size:
                    self._kept.popitem(last=False)
        return found

    def forget(self, pks: Iterable[int | None]) -> None:
        gone = set(pks)
        with self._lock:
            for key in [key for key in self._kept if key[0] in gone]:
                del self._kept[key]
