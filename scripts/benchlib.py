"""What the benchmarks share: a figure beside its target, a stopwatch, and the table they print."""
import time
from dataclasses import dataclass


@dataclass
class Result:
    what: str
    value: float  # seconds, or MB for memory
    target: float
    unit: str = "s"
    note: str = ""
    at_most: bool = False  # the target may be reached (a count), not only approached (a time)
    report_only: bool = False  # a figure the issue asks to see, with no target to meet

    @property
    def ok(self) -> bool:
        if self.report_only:
            return True
        return self.value <= self.target if self.at_most else self.value < self.target

    @property
    def verdict(self) -> str:
        return "" if self.report_only else "OK" if self.ok else "SLOW"

    @property
    def shown_target(self) -> str:
        return "" if self.report_only else f"{'≤' if self.at_most else '<'} {self.target:g} {self.unit}"


def stopwatch(run, *args):
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = run(*args)
    return time.perf_counter() - start, result


def print_table(heading: str, results: list[Result]) -> None:
    print(f"\n{heading}")
    print(f"  {'what':<52} {'value':>9}  {'target':>9}")
    for result in results:
        value = f"{result.value:g}" if result.at_most else f"{result.value:.3f}" if result.unit == "s" \
            else f"{result.value:.1f}"
        print(f"  {result.what:<52} {value:>6} {result.unit:<2} {result.shown_target:>9}  {result.verdict:<4} "
              f"{result.note}".rstrip())
