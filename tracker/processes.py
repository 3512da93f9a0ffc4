"""Work whose memory should not stay behind: a Word or Excel file written for a download takes a
web worker from ~40 to ~60 MB, and Python keeps what it took. apart() runs such a function in a
child forked for it, which hands the result back and exits, taking that memory with it. The fork
costs a download some 10–30 ms (the demo's results report as Excel: 31 → 16 a second over three
workers); downloads are rare beside pages, and a worker's memory is held all day.

Only pure functions of their arguments go apart (documents are functions from data to bytes): the
child touches no database connection, file or lock of the parent's. A process with other threads
running (the scheduler, a test's live server) runs the function in place, since a fork copies
only the calling thread and a lock another thread held would stay locked in the child."""
import os
import pickle  # nosec B403
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def apart(function: Callable[..., T], *args) -> T:
    """function(*args), computed in a forked child when that is safe; its exception is raised here."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return function(*args)
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        _child(function, args, read_end, write_end)
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as received:
            succeeded, value = pickle.load(received)  # nosec B301
    except EOFError:
        raise RuntimeError("the process that wrote the file stopped without an answer") from None
    finally:
        os.waitpid(child, 0)
    if not succeeded:
        raise value
    return value


def _child(function: Callable, args: tuple, read_end: int, write_end: int) -> None:
    """Compute, send the outcome, and leave at once, whatever happens: never return into the
    parent's code, nor run its exit handlers."""
    try:
        os.close(read_end)
        try:
            outcome = (True, function(*args))
        except BaseException as error:  # sent back to be raised in the parent
            outcome = (False, error)
        try:
            answer = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # an exception that does not pickle: its text does
            answer = pickle.dumps((False, RuntimeError(repr(outcome[1]))))
        with os.fdopen(write_end, "wb") as out:
            out.write(answer)
    finally:
        os._exit(0)
