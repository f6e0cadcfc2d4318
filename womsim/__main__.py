import sys

from womsim.cli import main

# guarded: worker processes started with "spawn" import this module again
if __name__ == "__main__":
    sys.exit(main())
