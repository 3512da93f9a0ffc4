import gc

from tracker import create_app

app = create_app()
# What start-up built (modules, templates' code, the app) lives as long as the process: kept out of
# the garbage collector's full passes, which otherwise walk it all and pause a request now and then.
gc.freeze()
