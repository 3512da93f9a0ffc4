"""apart(): a document is written in a child process, whose memory leaves with it; its answer and
its errors come back as if it had run in place."""
import io
import os
import threading

import pytest
from docx import Document

from tracker.processes import apart


def where_and_what(size: int) -> tuple[int, bytes]:
    return os.getpid(), b"x" * size


def refuse(message: str):
    raise ValueError(message)


class Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("not this one")


def refuse_oddly():
    raise Unpicklable("ข้อความ")


def test_the_function_runs_in_another_process_and_its_bytes_come_back_whole():
    pid, content = apart(where_and_what, 5 * 1024 * 1024)  # larger than a pipe holds at once
    assert pid != os.getpid() and content == b"x" * 5 * 1024 * 1024


def test_its_exception_is_raised_here():
    with pytest.raises(ValueError, match="ไฟล์เสียหาย"):
        apart(refuse, "ไฟล์เสียหาย")


def test_an_exception_that_cannot_travel_comes_back_as_its_text():
    with pytest.raises(RuntimeError, match="ข้อความ"):
        apart(refuse_oddly)


def test_with_other_threads_running_it_runs_in_place():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        pid, _ = apart(where_and_what, 1)
    finally:
        stop.set()
        other.join()
    assert pid == os.getpid()


def test_a_downloaded_word_file_is_written_apart_and_still_opens(coordinator_client):
    response = coordinator_client.get("/reports/measures.docx?fy=2568")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert any("การจัดทำคู่มือ" in text for text in cells)
