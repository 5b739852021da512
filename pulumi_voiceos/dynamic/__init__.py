"""The dynamic-provider adapter: ``PhoneNumberBinding`` and ``PhoneNumberFleet`` for Python programs.

A dynamic resource's provider runs in Pulumi's own Python dynamic-provider
server, so a Python program needs nothing but ``pip install pulumi-voiceos``.
Its hooks are thin: each hands its property bag to the shared core
(``operations`` for a binding, ``fleet`` for a fleet), as the native plugin in
``native/`` does; the two adapters apply one implementation of the rules.

- ``provider``: the binding's hooks; ``resource``: ``PhoneNumberBinding``;
- ``fleet``: ``PhoneNumberFleet`` and its hooks;
- ``messages``: how the provider's warnings reach the person running Pulumi.
"""
