import sys

from llmem_core.cli import main

sys.exit(main())
