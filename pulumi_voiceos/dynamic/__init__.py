"""The dynamic-provider adapter: ``PhoneNumberBinding`` and ``PhoneNumberFleet`` for Python programs.

``resource`` and ``provider``: the binding; ``fleet``: the fleet; ``messages``: what the user reads."""
