"""python -m scripts.national_data --agencies N --database-url URL [--reuse]"""
import sys

from scripts.national_data import main

sys.exit(main())
