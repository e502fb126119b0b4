import os
import sys

from pipeline.cli import main

code = main()
# Everything is written and committed by now. Freeing millions of objects one by one at
# interpreter shutdown takes seconds after a large build (measured: ~8 s at 10,000 articles),
# and nothing is left to flush but the standard streams.
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
