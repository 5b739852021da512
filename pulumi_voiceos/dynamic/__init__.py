"""The dynamic-provider adapter: ``PhoneNumberBinding`` and ``PhoneNumberFleet`` for Python programs.

Their providers run in Pulumi's own dynamic-provider server, so a Python program needs nothing but
``pip install pulumi-voiceos``; each hook hands its property bag to the shared core (``operations``,
``fleet``), as the native plugin does. ``provider`` and ``resource``: the binding; ``fleet``: the
fleet; ``messages``: how warnings reach the person running Pulumi (docs/architecture.md).
"""
