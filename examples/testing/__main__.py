"""The program: what `pulumi up` runs in this folder."""

import lines

lines.declare()
