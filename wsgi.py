import gc
import sys

# Start-up makes 160,000 objects (modules, tables, routes) that live as long as the process, and
# garbage of a few hundred: the collector's 200 passes on the way cost a tenth of start-up, and what
# they free leaves holes in memory that forked workers would copy. Python's advice (gc.freeze) for a
# server that forks: collect nothing until start-up is done, then freeze what it made.
gc.disable()

from tracker import create_app, preload_for_workers
from tracker.extensions import db

app = create_app()
if "gunicorn" in sys.modules:
    # gunicorn --preload forks the workers from this process: what each would do at its first requests
    # (configure the mappers, compile the templates) is done here once, in memory they share, and so
    # is loading the document writers, which every file written apart (tracker/processes.py) would
    # load again.
    # Commands skip all of it.
    preload_for_workers(app)
# No database connection may cross the fork.
with app.app_context():
    db.engine.dispose()
# What start-up built (modules, templates' code, the app) lives as long as the process: kept out of
# the garbage collector's full passes, which otherwise walk it all and pause a request now and then.
gc.freeze()
gc.enable()
