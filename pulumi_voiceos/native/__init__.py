"""The native ``voiceos`` provider plugin: ``PhoneNumberBinding`` for every Pulumi language.

The engine starts it as ``pulumi-resource-voiceos`` (a console script of this
package, so ``pip install pulumi-voiceos`` puts it on PATH, where the engine
finds plugins). ``schema.json`` beside this module is the package schema the
SDKs in ``sdk/`` are generated from; the provider serves it as it is.
"""
