"""The app's URL rules write their URL builders at first use (tracker/web/routing.py): the URLs are
the ones werkzeug's own rules build, and gunicorn's master writes them all before it forks."""
from werkzeug.routing import IntegerConverter, Map, PathConverter, Rule

from tracker import preload_for_workers
from tracker.web.routing import LazyRule

QUERY = {"extra": 2, "words": "กองคลัง & ทุกกอง"}


def sample_values(rule: Rule) -> dict:
    def sample(converter):
        return 7 if isinstance(converter, IntegerConverter) else "a/b c" if isinstance(converter, PathConverter) \
            else "x y"
    return {name: sample(converter) for name, converter in rule._converters.items()}


def test_a_url_built_at_first_use_is_the_one_werkzeug_builds(app):
    rules = [rule for rule in app.url_map.iter_rules() if isinstance(rule, LazyRule)]
    plain = Map([Rule(rule.rule, **rule.get_empty_kwargs()) for rule in rules],
                converters=app.url_map.converters).bind("localhost")
    ours = app.url_map.bind("localhost")
    assert len(rules) > 90
    for rule in rules:
        values = sample_values(rule)
        method = next(iter(rule.methods))
        bare = ours.build(rule.endpoint, values, method=method)
        with_query = ours.build(rule.endpoint, values | QUERY, method=method)
        assert bare == plain.build(rule.endpoint, values, method=method), rule.rule
        assert with_query == plain.build(rule.endpoint, values | QUERY, method=method)
        assert with_query.startswith(bare + "?") and "extra=2" in with_query, rule.rule


def test_the_master_writes_every_url_builder_before_it_forks(app):
    rules = [rule for rule in app.url_map.iter_rules() if isinstance(rule, LazyRule)]
    assert all(rule._build.__name__ == "build_first" for rule in rules)
    preload_for_workers(app)
    assert not [rule.rule for rule in rules if "build_first" in (rule._build.__name__, rule._build_unknown.__name__)]
