import gc

from tracker import create_app
from tracker.extensions import db

app = create_app()
# gunicorn --preload forks the workers from this process: no database connection may cross the fork.
with app.app_context():
    db.engine.dispose()
# What start-up built (modules, templates' code, the app) lives as long as the process: kept out of
# the garbage collector's full passes, which otherwise walk it all and pause a request now and then.
gc.freeze()
