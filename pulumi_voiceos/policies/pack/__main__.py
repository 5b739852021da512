"""The voiceos-policies pack's entry point: the engine runs it (``python -m pulumi.policy``) on the Python
where pulumi-voiceos[policy] is installed."""

from pulumi_voiceos.policies.analyzer import serve

serve()
