"""Every date of deals.csv in US layout (m/d/yyyy) while the config says iso."""
import re
import sys
p = sys.argv[1]
text = open(p, encoding="utf-8", newline="").read()
text = re.sub(r",(\d{4})-(\d\d)-(\d\d)(?=[,\r\n])",
              lambda m: f",{int(m[2])}/{int(m[3])}/{m[1]}", text)
open(p, "w", encoding="utf-8", newline="").write(text)
