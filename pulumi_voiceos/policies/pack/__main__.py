"""The voiceos-policies pack's entry point: the engine runs it (``python -m pulumi.policy``) on the Python
where pulumi-voiceos[policy] is installed."""

import sys

try:
    from pulumi_voiceos.policies.analyzer import serve
except ModuleNotFoundError as missing:
    sys.exit(
        f"voiceos-policies cannot start: {missing} in {sys.executable}. Install the pack's extra there "
        "(pip install 'pulumi-voiceos[policy]'), or point PULUMI_PYTHON_CMD at the Python that has it."
    )

serve()
