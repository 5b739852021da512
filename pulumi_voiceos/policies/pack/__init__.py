"""The folder ``pulumi ... --policy-pack`` is pointed at: PulumiPolicy.yaml and the entry point the engine runs."""
