import sys

from womsim.cli import main

sys.exit(main())
