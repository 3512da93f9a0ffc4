"""URL rules that write their URL builders when first asked for a URL, not at start-up."""
from werkzeug.routing import Rule


class LazyRule(Rule):
    """Werkzeug writes and compiles two Python functions for each rule as it is added (to build its
    URLs, with and without a query string): for the app's hundred rules that is a twentieth of
    every command's start-up, and most commands never build a URL. This rule writes each function at
    its first use and keeps it (preload_for_workers writes them all before gunicorn forks). It overrides
    a private method of werkzeug's, so requirements.txt pins Werkzeug and tests/test_routing.py
    compares its URLs with werkzeug's own."""

    def _compile_builder(self, append_unknown: bool = True):
        write = super()._compile_builder
        name = "_build_unknown" if append_unknown else "_build"

        def build_first(rule: Rule, **values):
            builder = write(append_unknown).__get__(rule, None)
            setattr(rule, name, builder)
            return builder(**values)

        return build_first

    def write_builders(self) -> None:
        for append_unknown, name in ((False, "_build"), (True, "_build_unknown")):
            setattr(self, name, super()._compile_builder(append_unknown).__get__(self, None))
