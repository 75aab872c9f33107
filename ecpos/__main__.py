import sys

from ecpos.main import main

sys.exit(main())
