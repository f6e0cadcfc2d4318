import sys

from womsim.app.cli import main

# guarded: worker processes started with "spawn" import this module again
if __name__ == "__main__":
    sys.exit(main())
