"""The two apps the page benchmark serves with gunicorn (scripts/page_bench.py): ITA Tracker with the
benchmark's settings (BENCH_APP_CONFIG, JSON), and the hello-world Flask app it is measured against."""
import gc
import json
import os

from flask import Flask


def tracker():
    from tracker import create_app
    from tracker import preload_for_workers
    app = create_app(json.loads(os.environ["BENCH_APP_CONFIG"]))
    preload_for_workers(app)  # as wsgi.py does under gunicorn
    gc.freeze()
    return app


def hello():
    app = Flask("hello")

    @app.get("/")
    @app.get("/healthz")
    def index():
        return "Hello, World!"
    return app
