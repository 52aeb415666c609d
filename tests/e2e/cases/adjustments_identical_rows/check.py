"""Equal rows are never duplicates in the adjustments and payments files. See NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker  # noqa: E402

c = Checker()
c.check_command(sys.argv[3], sys.argv[2])
c.done()
