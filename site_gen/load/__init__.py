"""Loading: site.yaml and content/ into a Site model, with diagnostics (see site.py)."""
