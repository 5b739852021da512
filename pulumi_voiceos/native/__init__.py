"""The native ``voiceos`` provider plugin: ``PhoneNumberBinding`` and ``PhoneNumberFleet`` for every Pulumi language.

The engine starts it as ``pulumi-resource-voiceos``; ``schema.json`` beside this module is what the SDKs are made from.
"""
