"""``python -m council``: the same command line as ``council`` (for an install without its script on PATH)."""

from council.cli import main

main()
